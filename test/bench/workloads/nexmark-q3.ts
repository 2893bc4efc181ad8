/**
 * Nexmark q3, local item suggestion (`examples/nexmark/q3.ts`): auctions of category 10 joined
 * with their seller, from a table of the persons in OR, ID or CA. Reads every person (the
 * table) and every auction, and the category-10 auctions a second time from the repartition
 * topic that re-keys them by seller. 10,000,000 generated events in the embedded log, run
 * exactly_once and at_least_once (`alos_*`), each in a process of its own, on RocksDB; see
 * `../nexmark.ts`.
 */
import { LOCAL_STATES, q3 } from '../../../examples/nexmark/q3.js'
import { runNexmarkWorkload } from '../nexmark.js'

/** The state of each person so far (the replay is in generation order): what q3's results follow from. */
const states = new Map<number, string>()

await runNexmarkWorkload({
  name: 'q3',
  query: q3,
  readsOf: (event) => (event.type === 'person' ? 1 : event.type === 'auction' ? (event.auction.category === 10 ? 2 : 1) : 0),
  // One result per category-10 auction whose seller, registered before it, lives in OR, ID or CA.
  resultsOf: (event) => {
    if (event.type === 'person') states.set(event.person.id, event.person.state)
    if (event.type !== 'auction' || event.auction.category !== 10) return 0
    return LOCAL_STATES.includes(states.get(event.auction.seller) ?? '') ? 1 : 0
  },
})
