/**
 * Nexmark q2, selection (`examples/nexmark/q2.ts`): the bids on every 123rd auction. Stateless:
 * reads each bid once; the results expected are counted from the generator. 10,000,000
 * generated events in the embedded log, run exactly_once and at_least_once (`alos_*`), each in a
 * process of its own; see `../nexmark.ts`.
 */
import { q2 } from '../../../examples/nexmark/q2.js'
import { runNexmarkWorkload } from '../nexmark.js'

await runNexmarkWorkload({
  name: 'q2',
  query: q2,
  readsOf: (event) => (event.type === 'bid' ? 1 : 0),
  resultsOf: (event) => (event.type === 'bid' && event.bid.auction % 123 === 0 ? 1 : 0),
})
