/**
 * Nexmark q3, local item suggestion (`examples/nexmark/q3.ts`): auctions of category 10 joined
 * with their seller, from a table of the persons in OR, ID or CA. Reads every person (the
 * table) and every auction, and the category-10 auctions a second time from the repartition
 * topic that re-keys them by seller. 10,000,000 generated events in the embedded log, run
 * exactly_once and at_least_once (`alos_*`), each in a process of its own, on RocksDB; see
 * `../nexmark.ts`.
 */
import { q3 } from '../../../examples/nexmark/q3.js'
import { runNexmarkWorkload } from '../nexmark.js'

await runNexmarkWorkload({
  name: 'q3',
  query: q3,
  readsOf: (event) => (event.type === 'person' ? 1 : event.type === 'auction' ? (event.auction.category === 10 ? 2 : 1) : 0),
})
