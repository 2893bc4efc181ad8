/**
 * Event numbers, event ids, entity ids and event times, as in the reference `GeneratorConfig`,
 * `PersonGenerator` and `AuctionGenerator`. Ids are never stored: each follows from an event id,
 * so a bid can name a person or an auction without the generator remembering any.
 */
import type { NexmarkConfig } from './options.js'
import type { SeededRandom } from './random.js'

/** Of every 50 consecutive event ids, the first is a person, the next 3 auctions, the last 46 bids. */
export const PERSON_PROPORTION = 1
export const AUCTION_PROPORTION = 3
export const BID_PROPORTION = 46
export const PROPORTION_DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION

/** Ids start here so that queries over a handful of events still find matches. */
export const FIRST_PERSON_ID = 1000
export const FIRST_AUCTION_ID = 1000
export const FIRST_CATEGORY_ID = 10

/** A random person or auction may be this many ids ahead of the last one made (swapped in time). */
const PERSON_ID_LEAD = 10
const AUCTION_ID_LEAD = 10

/** The kind of the event with this id: 0 person, 1 auction, 2 bid. */
export function eventKindOf(eventId: number): 0 | 1 | 2 {
  const offset = eventId % PROPORTION_DENOMINATOR
  if (offset < PERSON_PROPORTION) return 0
  return offset < PERSON_PROPORTION + AUCTION_PROPORTION ? 1 : 2
}

/**
 * The event id of the `eventNumber`-th event: itself, or, with out-of-order groups, a permutation
 * inside its group (953 is prime, so `n · 953 mod size` visits every slot of a group).
 */
export function adjustedEventNumber(config: NexmarkConfig, eventNumber: number): number {
  const size = config.outOfOrderGroupSize
  if (size === 1) return eventNumber
  return Math.floor(eventNumber / size) * size + ((eventNumber * 953) % size)
}

/** The lowest event number of the group holding `eventNumber`: no later event is older. */
export function watermarkEventNumber(config: NexmarkConfig, eventNumber: number): number {
  const size = config.outOfOrderGroupSize
  return Math.floor(eventNumber / size) * size
}

/** Event time of an event number: the first event's time plus whole inter-event delays, in ms. */
export function timestampForEvent(config: NexmarkConfig, eventNumber: number): number {
  return config.firstEventTimeMs + Math.floor(Math.trunc(eventNumber * config.interEventDelayUs) / 1000)
}

/** The base-0 id of the last person made at or before `eventId` (the new one, for a person event). */
export function lastBase0PersonId(eventId: number): number {
  const epoch = Math.floor(eventId / PROPORTION_DENOMINATOR)
  let offset = eventId % PROPORTION_DENOMINATOR
  if (offset >= PERSON_PROPORTION) offset = PERSON_PROPORTION - 1
  return epoch * PERSON_PROPORTION + offset
}

/** The base-0 id of the last auction made at or before `eventId` (-1 before the first). */
export function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.floor(eventId / PROPORTION_DENOMINATOR)
  let offset = eventId % PROPORTION_DENOMINATOR
  if (offset < PERSON_PROPORTION) {
    epoch -= 1 // a person: the last auction is the previous epoch's last
    offset = AUCTION_PROPORTION - 1
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1 // a bid: this epoch's last auction
  } else {
    offset -= PERSON_PROPORTION
  }
  return epoch * AUCTION_PROPORTION + offset
}

/**
 * A random base-0 person id among the last `activePeople` persons, or up to 10 ahead of the last:
 * limiting to the active ones keeps the density of bids per person steady in long runs.
 */
export function nextBase0PersonId(eventId: number, random: SeededRandom, config: NexmarkConfig): number {
  const numPeople = lastBase0PersonId(eventId) + 1
  const active = Math.min(numPeople, config.activePeople)
  return numPeople - active + random.below(active + PERSON_ID_LEAD)
}

/** A random base-0 auction id among the last `inFlightAuctions` auctions, or up to 10 ahead. */
export function nextBase0AuctionId(eventId: number, random: SeededRandom, config: NexmarkConfig): number {
  const maxAuction = lastBase0AuctionId(eventId)
  const minAuction = Math.max(maxAuction - config.inFlightAuctions, 0)
  return minAuction + random.below(maxAuction - minAuction + 1 + AUCTION_ID_LEAD)
}
