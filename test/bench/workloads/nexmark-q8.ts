/**
 * Nexmark q8, monitor new users (`examples/nexmark/q8.ts`): persons who opened an auction in the
 * 10 s window they registered in (a windowed stream-stream join, then a tumbling aggregate).
 * Reads every person, and every auction twice (the repartition by seller). 10,000,000 generated
 * events in the embedded log, run exactly_once and at_least_once (`alos_*`), each in a process of
 * its own, on RocksDB; see `../nexmark.ts`.
 */
import { q8 } from '../../../examples/nexmark/q8.js'
import { runNexmarkWorkload } from '../nexmark.js'

await runNexmarkWorkload({ name: 'q8', query: q8, readsOf: (event) => (event.type === 'person' ? 1 : event.type === 'auction' ? 2 : 0) })
