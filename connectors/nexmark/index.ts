/**
 * The Nexmark benchmark's data: a seeded generator of its three streams (persons, auctions, bids)
 * following the reference generators of Apache Beam and nexmark/nexmark, and a loader that
 * appends them to three topics of a `Log`.
 *
 * @example
 * import { loadNexmark, NexmarkGenerator } from './connectors/nexmark/index.js'
 * const first = new NexmarkGenerator({ seed: 1, maxEvents: 50 }).nextEvent() // { type: 'person', person: { id: 1000, … } }
 * await loadNexmark(log, { seed: 1, events: 100_000 })                      // nexmark-persons, -auctions, -bids
 */
export type { Auction, Bid, NexmarkEvent, NexmarkEventType, Person } from './types.js'
export { NexmarkGenerator } from './generator.js'
export { NEXMARK_BASE_TIME_MS, MAX_EVENT_NUMBER, type NexmarkConfig, type NexmarkGeneratorOptions } from './options.js'
export { AUCTION_PROPORTION, BID_PROPORTION, FIRST_AUCTION_ID, FIRST_CATEGORY_ID, FIRST_PERSON_ID, PERSON_PROPORTION, PROPORTION_DENOMINATOR } from './ids.js'
export { loadNexmark, DEFAULT_NEXMARK_TOPICS, type LoadNexmarkOptions, type NexmarkLoadResult, type NexmarkTopics } from './load.js'
export { isAuction, isBid, isPerson, NEXMARK_SHAPES, nexmarkSerdes } from './serdes.js'
