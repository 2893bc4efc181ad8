import { ConfigError } from '../../core/errors.js'

/**
 * How a `NexmarkGenerator` makes its events. Only `seed` is required; every other field defaults
 * to the reference generators' `NexmarkConfiguration` default (Apache Beam, nexmark/nexmark).
 */
export interface NexmarkGeneratorOptions {
  /** Same seed and options, same events. Any safe integer. */
  readonly seed: number
  /** Event-time rate: event n is stamped `firstEventTimeMs + n / eventsPerSecond` seconds. Default 10,000. */
  readonly eventsPerSecond?: number
  /** Event time of event number 0. Default 1436918400000 (2015-07-15T00:00:00Z, Beam's base time). */
  readonly firstEventTimeMs?: number
  /** How many events to make (from `startAtEvent` on). Default: no end. */
  readonly maxEvents?: number
  /** Events already made by an earlier run: resumes the sequence at this event number. Default 0. */
  readonly startAtEvent?: number
  /**
   * Events are shuffled in groups of this size (ids and times together), as the reference's
   * `outOfOrderGroupSize`: 1 (the default) keeps event time non-decreasing.
   */
  readonly outOfOrderGroupSize?: number
  /** A bid goes to a hot auction with probability 1 - 1/hotAuctionRatio. Default 2. */
  readonly hotAuctionRatio?: number
  /** An auction has a hot seller with probability 1 - 1/hotSellersRatio. Default 4. */
  readonly hotSellersRatio?: number
  /** A bid comes from a hot bidder with probability 1 - 1/hotBiddersRatio. Default 4. */
  readonly hotBiddersRatio?: number
  /** Sellers and bidders that are not hot are drawn from the latest this many persons. Default 1000. */
  readonly activePeople?: number
  /** Bids that are not on a hot auction go to one of the latest this many auctions. Default 100. */
  readonly inFlightAuctions?: number
  /** Average size a person is padded to with `extra` (the reference's idealized bytes). Default 200. */
  readonly averagePersonBytes?: number
  /** Average size an auction is padded to. Default 500. */
  readonly averageAuctionBytes?: number
  /** Average size a bid is padded to. Default 100. */
  readonly averageBidBytes?: number
}

/** The options, checked, with every default filled in. */
export interface NexmarkConfig {
  readonly seed: number
  readonly eventsPerSecond: number
  readonly interEventDelayUs: number
  readonly firstEventTimeMs: number
  readonly startAtEvent: number
  /** One past the last event number to make. */
  readonly endAtEvent: number
  readonly outOfOrderGroupSize: number
  readonly hotAuctionRatio: number
  readonly hotSellersRatio: number
  readonly hotBiddersRatio: number
  readonly activePeople: number
  readonly inFlightAuctions: number
  readonly averagePersonBytes: number
  readonly averageAuctionBytes: number
  readonly averageBidBytes: number
}

/** 2015-07-15T00:00:00Z: Beam's Nexmark base time, so that runs are comparable. */
export const NEXMARK_BASE_TIME_MS = 1_436_918_400_000

/**
 * Event numbers stay below this (about 8.8 trillion), so that id, out-of-order and time arithmetic
 * is exact in doubles.
 */
export const MAX_EVENT_NUMBER = Math.floor(Number.MAX_SAFE_INTEGER / 1024)

/** Checks the options and fills in the defaults; a bad field is a `ConfigError` naming it. */
export function resolveNexmarkOptions(options: NexmarkGeneratorOptions): NexmarkConfig {
  const seed = options.seed
  if (!Number.isSafeInteger(seed)) throw new ConfigError('seed', `must be a safe integer, got ${String(seed)}`)
  const eventsPerSecond = options.eventsPerSecond ?? 10_000
  if (!Number.isFinite(eventsPerSecond) || eventsPerSecond <= 0 || eventsPerSecond > 1e9) {
    throw new ConfigError('eventsPerSecond', `must be a number in (0, 1e9], got ${String(eventsPerSecond)}`)
  }
  const firstEventTimeMs = options.firstEventTimeMs ?? NEXMARK_BASE_TIME_MS
  if (!Number.isSafeInteger(firstEventTimeMs)) {
    throw new ConfigError('firstEventTimeMs', `must be an integer number of milliseconds, got ${String(firstEventTimeMs)}`)
  }
  const startAtEvent = integer('startAtEvent', options.startAtEvent ?? 0, 0, MAX_EVENT_NUMBER)
  const maxEvents = options.maxEvents === undefined ? MAX_EVENT_NUMBER - startAtEvent : integer('maxEvents', options.maxEvents, 0, MAX_EVENT_NUMBER - startAtEvent)
  return {
    seed,
    eventsPerSecond,
    interEventDelayUs: 1_000_000 / eventsPerSecond,
    firstEventTimeMs,
    startAtEvent,
    endAtEvent: startAtEvent + maxEvents,
    outOfOrderGroupSize: integer('outOfOrderGroupSize', options.outOfOrderGroupSize ?? 1, 1, 1_000_000),
    hotAuctionRatio: integer('hotAuctionRatio', options.hotAuctionRatio ?? 2, 1, 1_000_000),
    hotSellersRatio: integer('hotSellersRatio', options.hotSellersRatio ?? 4, 1, 1_000_000),
    hotBiddersRatio: integer('hotBiddersRatio', options.hotBiddersRatio ?? 4, 1, 1_000_000),
    activePeople: integer('activePeople', options.activePeople ?? 1000, 1, 1_000_000_000),
    inFlightAuctions: integer('inFlightAuctions', options.inFlightAuctions ?? 100, 1, 1_000_000_000),
    averagePersonBytes: integer('averagePersonBytes', options.averagePersonBytes ?? 200, 0, 100_000),
    averageAuctionBytes: integer('averageAuctionBytes', options.averageAuctionBytes ?? 500, 0, 100_000),
    averageBidBytes: integer('averageBidBytes', options.averageBidBytes ?? 100, 0, 100_000),
  }
}

function integer(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be an integer from ${min} to ${max}, got ${String(value)}`)
  }
  return value
}
