import { nextAuction } from './auction.js'
import { nextBid } from './bid.js'
import type { ModelContext } from './context.js'
import { adjustedEventNumber, eventKindOf, timestampForEvent, watermarkEventNumber } from './ids.js'
import { nextPerson } from './person.js'
import { resolveNexmarkOptions, type NexmarkConfig, type NexmarkGeneratorOptions } from './options.js'
import { foldSeed, SeededRandom } from './random.js'
import { NexmarkText } from './text.js'
import type { NexmarkEvent } from './types.js'

/**
 * A seeded, deterministic generator of the Nexmark benchmark's interleaved stream of persons,
 * auctions and bids, following the reference generators (Apache Beam's and nexmark/nexmark's
 * `NexmarkGenerator`).
 *
 * Of every 50 event ids the first is a person, the next 3 are auctions and the other 46 bids.
 * Person and auction ids follow from the event id (from 1000 up, without gaps), so bids and
 * auctions name persons and auctions without the generator keeping any state: a bid is on the
 * latest "hot" auction with probability 1 - 1/`hotAuctionRatio` (else on one of the latest
 * `inFlightAuctions`), by the latest "hot" bidder with probability 1 - 1/`hotBiddersRatio` (else
 * one of the latest `activePeople`); a random id may run up to 10 ahead of the last one made, as
 * in the reference, where it stands for events swapped in time. Event n is stamped
 * `firstEventTimeMs + n / eventsPerSecond` seconds (whole milliseconds), so event time never goes
 * back unless `outOfOrderGroupSize` shuffles groups of events.
 *
 * Each event depends only on the seed, the options and its id: the same seed gives the same
 * events, and `startAtEvent` resumes a run where it stopped. `nextEvent()` is the fast path (one
 * object per event and one for its payload); the generator is also an iterator.
 *
 * @example
 * const generator = new NexmarkGenerator({ seed: 42, maxEvents: 1000 })
 * for (const event of generator) {
 *   if (event.type === 'bid') console.log(event.bid.auction, event.bid.price)
 * }
 *
 * @example
 * // The fast path, and resuming where a run stopped
 * const first = new NexmarkGenerator({ seed: 7, maxEvents: 500 })
 * let bids = 0
 * for (let event = first.nextEvent(); event !== undefined; event = first.nextEvent()) if (event.type === 'bid') bids++
 * const rest = new NexmarkGenerator({ seed: 7, startAtEvent: first.eventsSoFar }) // events 500, 501, …
 *
 * @see loadNexmark
 */
export class NexmarkGenerator implements IterableIterator<NexmarkEvent> {
  /** The options with every default filled in. */
  readonly config: NexmarkConfig
  private readonly seed32: number
  private readonly context: ModelContext
  private eventNumber: number

  /** Throws `ConfigError` (naming the field) for a bad option. */
  constructor(options: NexmarkGeneratorOptions) {
    this.config = resolveNexmarkOptions(options)
    this.seed32 = foldSeed(this.config.seed)
    this.context = { config: this.config, random: new SeededRandom(), text: new NexmarkText(this.seed32) }
    this.eventNumber = this.config.startAtEvent
  }

  /** How many events the sequence has had so far, `startAtEvent` included: pass it as `startAtEvent` to resume. */
  get eventsSoFar(): number {
    return this.eventNumber
  }

  /** False once `maxEvents` events were made. */
  get hasNext(): boolean {
    return this.eventNumber < this.config.endAtEvent
  }

  /** The id of the next event (its event number, unless events are shuffled in groups). */
  get nextEventId(): number {
    return adjustedEventNumber(this.config, this.eventNumber)
  }

  /** No event still to come is older than this: a watermark for what was generated so far. */
  get watermarkMs(): number {
    return timestampForEvent(this.config, watermarkEventNumber(this.config, this.eventNumber))
  }

  /** The next event, or `undefined` after the last. */
  nextEvent(): NexmarkEvent | undefined {
    const config = this.config
    const eventNumber = this.eventNumber
    if (eventNumber >= config.endAtEvent) return undefined
    this.eventNumber = eventNumber + 1
    const eventId = adjustedEventNumber(config, eventNumber)
    const dateTime = timestampForEvent(config, eventId)
    const context = this.context
    context.random.reset(this.seed32, eventId)
    switch (eventKindOf(eventId)) {
      case 0:
        return { type: 'person', person: nextPerson(eventId, dateTime, context) }
      case 1:
        return { type: 'auction', auction: nextAuction(eventNumber, eventId, dateTime, context) }
      default:
        return { type: 'bid', bid: nextBid(eventId, dateTime, context) }
    }
  }

  /** The iterator protocol; `nextEvent()` does the same without the result object. */
  next(): IteratorResult<NexmarkEvent> {
    const event = this.nextEvent()
    return event === undefined ? { done: true, value: undefined } : { done: false, value: event }
  }

  [Symbol.iterator](): this {
    return this
  }
}
