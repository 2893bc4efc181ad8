/**
 * The three Nexmark streams (Tucker et al., "NEXMark – A Benchmark for Queries over Data Streams";
 * the field set of the Apache Beam and Flink generators). Times are epoch milliseconds, prices cents.
 */

/** A new person registering at the auction site. */
export interface Person {
  /** From 1000 up, one per person event: the base-0 person number plus 1000. */
  readonly id: number
  /** First and last name, from small fixed lists so queries find matches. */
  readonly name: string
  readonly emailAddress: string
  /** Four groups of four digits, separated by spaces. */
  readonly creditCard: string
  readonly city: string
  /** A US state code, one of six (AZ, CA, ID, OR, WA, WY). */
  readonly state: string
  /** Event time, epoch milliseconds. */
  readonly dateTime: number
  /** Padding that brings the record near its configured average size. */
  readonly extra: string
}

/** A new auction opened by a seller. */
export interface Auction {
  /** From 1000 up, one per auction event: the base-0 auction number plus 1000. */
  readonly id: number
  readonly itemName: string
  readonly description: string
  /** Cents. */
  readonly initialBid: number
  /** Cents, at least `initialBid`. */
  readonly reserve: number
  /** Event time, epoch milliseconds. */
  readonly dateTime: number
  /** When the auction closes, epoch milliseconds, after `dateTime`. */
  readonly expires: number
  /** A `Person.id`. */
  readonly seller: number
  /** From 10 to 14. */
  readonly category: number
  readonly extra: string
}

/** A bid on an auction. */
export interface Bid {
  /** An `Auction.id`. */
  readonly auction: number
  /** A `Person.id`. */
  readonly bidder: number
  /** Cents. */
  readonly price: number
  /** Where the bid came from: `Google`, `Facebook`, `Baidu`, `Apple` or `channel-<n>`. */
  readonly channel: string
  readonly url: string
  /** Event time, epoch milliseconds. */
  readonly dateTime: number
  readonly extra: string
}

/** One event of the interleaved Nexmark stream. */
export type NexmarkEvent =
  | { readonly type: 'person'; readonly person: Person }
  | { readonly type: 'auction'; readonly auction: Auction }
  | { readonly type: 'bid'; readonly bid: Bid }

/** The kind of an event: `'person'`, `'auction'` or `'bid'`. */
export type NexmarkEventType = NexmarkEvent['type']
