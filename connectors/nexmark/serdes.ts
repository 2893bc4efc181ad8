import { json } from '../../core/serde/json.js'
import type { Serde } from '../../core/serde/types.js'
import type { Auction, Bid, Person } from './types.js'

type Fields = Record<string, unknown>

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null
const numbers = (value: Fields, names: readonly string[]): boolean => names.every((name) => typeof value[name] === 'number')
const strings = (value: Fields, names: readonly string[]): boolean => names.every((name) => typeof value[name] === 'string')

/**
 * True for a value shaped as a `Person` (every field present, with its type).
 *
 * @example
 * const value: unknown = JSON.parse(text)
 * if (isPerson(value)) console.log(value.name, value.state)
 */
export function isPerson(value: unknown): value is Person {
  return isObject(value) && numbers(value, ['id', 'dateTime']) && strings(value, ['name', 'emailAddress', 'creditCard', 'city', 'state', 'extra'])
}

/**
 * True for a value shaped as an `Auction`.
 *
 * @example
 * if (isAuction(value)) console.log(value.id, value.expires - value.dateTime)
 */
export function isAuction(value: unknown): value is Auction {
  return (
    isObject(value) &&
    numbers(value, ['id', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category']) &&
    strings(value, ['itemName', 'description', 'extra'])
  )
}

/**
 * True for a value shaped as a `Bid`.
 *
 * @example
 * if (isBid(value)) console.log(value.auction, value.price / 100)
 */
export function isBid(value: unknown): value is Bid {
  return isObject(value) && numbers(value, ['auction', 'bidder', 'price', 'dateTime']) && strings(value, ['channel', 'url', 'extra'])
}

/**
 * The JSON shapes of the Nexmark types, fields in the order the generator makes them (and
 * `loadNexmark` writes them).
 *
 * @example
 * serdes.json({ shape: NEXMARK_SHAPES.bid, name: 'Bid' }) // what nexmarkSerdes.bid() is
 */
export const NEXMARK_SHAPES = {
  person: { id: 'number', name: 'string', emailAddress: 'string', creditCard: 'string', city: 'string', state: 'string', dateTime: 'number', extra: 'string' },
  auction: {
    id: 'number',
    itemName: 'string',
    description: 'string',
    initialBid: 'number',
    reserve: 'number',
    dateTime: 'number',
    expires: 'number',
    seller: 'number',
    category: 'number',
    extra: 'string',
  },
  bid: { auction: 'number', bidder: 'number', price: 'number', channel: 'string', url: 'string', dateTime: 'number', extra: 'string' },
} as const

/**
 * JSON serdes of the Nexmark types, as `loadNexmark` writes them, compiled from their shapes
 * (`NEXMARK_SHAPES`). Reading checks each value's shape once (a value of another shape is a
 * `SerdeError` naming the field); keys are decimal ids, read them with `serdes.string()`.
 *
 * @example
 * import { serdes } from 'tributary'
 * import { nexmarkSerdes } from './connectors/nexmark/index.js'
 * app.stream('nexmark-bids', { key: serdes.string(), value: nexmarkSerdes.bid() })
 *   .pipe(filter((bid) => bid.price > 1_000_000)) // over $10,000
 */
export const nexmarkSerdes = {
  person: (): Serde<Person> => json({ shape: NEXMARK_SHAPES.person, name: 'Person' }),
  auction: (): Serde<Auction> => json({ shape: NEXMARK_SHAPES.auction, name: 'Auction' }),
  bid: (): Serde<Bid> => json({ shape: NEXMARK_SHAPES.bid, name: 'Bid' }),
} as const
