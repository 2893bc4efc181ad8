/**
 * Nexmark q7, highest bid (`examples/nexmark/q7.ts`): per 10 s tumbling window, the bids with the
 * highest price. Reads each bid twice (the repartition that puts every bid under one key).
 * 10,000,000 generated events in the embedded log, run exactly_once and at_least_once
 * (`alos_*`), each in a process of its own, on RocksDB; see `../nexmark.ts`.
 */
import { q7 } from '../../../examples/nexmark/q7.js'
import { runNexmarkWorkload } from '../nexmark.js'

await runNexmarkWorkload({ name: 'q7', query: q7, readsOf: (event) => (event.type === 'bid' ? 2 : 0) })
