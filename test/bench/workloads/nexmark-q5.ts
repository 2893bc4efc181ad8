/**
 * Nexmark q5, hot items (`examples/nexmark/q5.ts`): per 10 s window sliding by 2 s, the auctions
 * with the most bids. Reads each bid twice (the repartition by auction); each bid updates five
 * windowed counts. 10,000,000 generated events in the embedded log, run exactly_once and
 * at_least_once (`alos_*`), each in a process of its own, on RocksDB; see `../nexmark.ts`.
 */
import { q5 } from '../../../examples/nexmark/q5.js'
import { runNexmarkWorkload } from '../nexmark.js'

await runNexmarkWorkload({ name: 'q5', query: q5, readsOf: (event) => (event.type === 'bid' ? 2 : 0) })
