/**
 * Nexmark q1, currency conversion (`examples/nexmark/q1.ts`): every bid, its price in euros.
 * Stateless: reads each bid once and writes one result per bid. 10,000,000 generated events
 * (9,200,000 bids) in the embedded log, run exactly_once and at_least_once (`alos_*`), each in a
 * process of its own; see `../nexmark.ts`.
 */
import { q1 } from '../../../examples/nexmark/q1.js'
import { runNexmarkWorkload } from '../nexmark.js'

await runNexmarkWorkload({
  name: 'q1',
  query: q1,
  readsOf: (event) => (event.type === 'bid' ? 1 : 0),
  resultsOf: (event) => (event.type === 'bid' ? 1 : 0),
})
