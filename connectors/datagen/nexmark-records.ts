import { ConfigError } from '../../core/errors.js'
import type { NexmarkEvent, NexmarkEventType } from '../nexmark/index.js'
import type { SourceRecord } from '../api/types.js'

/** Which Nexmark events become records, and the topic of each kind (undefined: the connector's topic). */
export interface NexmarkRouting {
  readonly kinds: ReadonlySet<NexmarkEventType>
  readonly topics: Readonly<Partial<Record<NexmarkEventType, string>>> | undefined
}

const KINDS: readonly NexmarkEventType[] = ['person', 'auction', 'bid']

/**
 * Checks the `kinds` and `topics` settings. With `topics` (`{ "person": "nexmark-persons", … }`)
 * each listed kind goes to its topic as its bare payload (a Person, an Auction, a Bid: what
 * `loadNexmark` writes) and the kinds it leaves out are dropped; without it the kinds in `kinds`
 * (default all) go to the connector's topic as whole events (`{ "type": "bid", "bid": { … } }`).
 *
 * @example
 * nexmarkRouting(undefined, { bid: 'bids' }) // only bids, to topic bids
 */
export function nexmarkRouting(kinds: readonly NexmarkEventType[] | undefined, topics: object | undefined): NexmarkRouting {
  if (topics === undefined) return { kinds: new Set(kinds ?? KINDS), topics: undefined }
  if (kinds !== undefined) throw new ConfigError('kinds', 'cannot be given with topics: the kinds listed in topics are the ones produced')
  const routes: Partial<Record<NexmarkEventType, string>> = {}
  for (const [kind, topic] of Object.entries(topics)) {
    if (!KINDS.includes(kind as NexmarkEventType)) throw new ConfigError(`topics.${kind}`, `is not a Nexmark event kind; use person, auction or bid`)
    if (typeof topic !== 'string' || topic === '') throw new ConfigError(`topics.${kind}`, 'must be a topic name')
    routes[kind as NexmarkEventType] = topic
  }
  return { kinds: new Set(Object.keys(routes) as NexmarkEventType[]), topics: routes }
}

/**
 * The record of a Nexmark event, or undefined when its kind is not produced. Keys are decimal
 * ids as `loadNexmark` writes them (the person, the auction, the bid's auction, so that a key's
 * records share a partition); the timestamp is the event's `dateTime`.
 *
 * @example
 * nexmarkRecord(event, routing) // { topic: 'bids', key: '1003', value: { auction: 1003, … }, timestamp: … }
 */
export function nexmarkRecord(event: NexmarkEvent, routing: NexmarkRouting): SourceRecord<string, unknown> | undefined {
  if (!routing.kinds.has(event.type)) return undefined
  const topic = routing.topics?.[event.type]
  const [key, payload] =
    event.type === 'person' ? [event.person.id, event.person] : event.type === 'auction' ? [event.auction.id, event.auction] : [event.bid.auction, event.bid]
  const value = routing.topics === undefined ? event : payload
  return { ...(topic === undefined ? {} : { topic }), key: String(key), value, timestamp: payload.dateTime }
}
