/**
 * The Nexmark example queries on a fixed seed, each checked against a reference computed here
 * with plain loops over the generated events.
 */
import { describe, expect, test } from 'vitest'
import { serdes, type App } from '../../index.js'
import { NexmarkGenerator, nexmarkSerdes, type Bid } from '../../connectors/nexmark/index.js'
import { EUROS_PER_DOLLAR, q1 } from '../../examples/nexmark/q1.js'
import { q2, type AuctionPrice } from '../../examples/nexmark/q2.js'
import { q5, type HotItems } from '../../examples/nexmark/q5.js'
import { q7, type HighestBid } from '../../examples/nexmark/q7.js'
import { LOCAL_STATES, q3, type LocalItem } from '../../examples/nexmark/q3.js'
import { Q8_GRACE_MS, q8, type NewUser } from '../../examples/nexmark/q8.js'
import { q4, type CategoryAverage } from '../../examples/nexmark/q4.js'
import type { Auction, NexmarkEvent, Person } from '../../connectors/nexmark/index.js'
import { driverPerTest } from '../operators/helpers.js'

const SEED = 42
const EVENTS = 20_000

/** The bids of the fixed run: 20,000 events at 200 events/s of event time (100 s). */
function generatedBids(): Bid[] {
  const bids: Bid[] = []
  for (const event of new NexmarkGenerator({ seed: SEED, eventsPerSecond: 200, maxEvents: EVENTS })) if (event.type === 'bid') bids.push(event.bid)
  return bids
}

const events: NexmarkEvent[] = [...new NexmarkGenerator({ seed: SEED, eventsPerSecond: 200, maxEvents: EVENTS })]
const bids = generatedBids()
const lastTime = Math.max(...bids.map((bid) => bid.dateTime))

describe('Nexmark queries on a fixed seed', () => {
  const start = driverPerTest()

  async function run(query: (app: App) => void): Promise<Awaited<ReturnType<typeof start>>> {
    const driver = await start(query, { cacheMaxBytes: 0 })
    await driver.input('nexmark-bids', { key: serdes.string(), value: nexmarkSerdes.bid() }).sendAll(bids.map((bid) => ({ key: String(bid.auction), value: bid, timestamp: bid.dateTime })))
    return driver
  }

  test('q1 converts every bid to euros', async () => {
    const driver = await run((app) => q1(app))
    const out = await driver.output('nexmark-q1', { key: serdes.string(), value: serdes.json<Bid>() }).readAll()
    expect(out.map((record) => record.value)).toEqual(bids.map((bid) => ({ ...bid, price: bid.price * EUROS_PER_DOLLAR })))
  })

  test('q2 selects the bids on every 123rd auction', async () => {
    const driver = await run((app) => q2(app))
    const out = await driver.output('nexmark-q2', { key: serdes.string(), value: serdes.json<AuctionPrice>() }).readAll()
    const expected = bids.filter((bid) => bid.auction % 123 === 0).map((bid) => ({ auction: bid.auction, price: bid.price }))
    expect(expected.length).toBeGreaterThan(0)
    expect(out.map((record) => record.value)).toEqual(expected)
  })

  test('q5 finds the auctions with the most bids in each closed 10 s window sliding by 2 s', async () => {
    const driver = await run((app) => q5(app))
    const out = await driver.output('nexmark-q5', { key: serdes.float64(), value: serdes.json<HotItems>() }).readAll()
    const latest = new Map<number, HotItems>()
    for (const record of out) latest.set(record.key, record.value)
    // Reference: counts per (window, auction), windows of 10 s every 2 s, closed once stream time reaches their end.
    const counts = new Map<number, Map<number, number>>()
    for (const bid of bids) {
      for (let windowStart = Math.floor((bid.dateTime - 10_000 + 2_000) / 2_000) * 2_000; windowStart <= bid.dateTime; windowStart += 2_000) {
        if (windowStart + 10_000 <= bid.dateTime) continue
        const window = counts.get(windowStart) ?? new Map<number, number>()
        window.set(bid.auction, (window.get(bid.auction) ?? 0) + 1)
        counts.set(windowStart, window)
      }
    }
    const expected = new Map<number, HotItems>()
    for (const [windowStart, window] of counts) {
      if (windowStart + 10_000 > lastTime) continue
      const most = Math.max(...window.values())
      expected.set(windowStart, { windowStart, bids: most, auctions: [...window].filter(([, count]) => count === most).map(([auction]) => auction).sort((a, b) => a - b) })
    }
    expect(expected.size).toBeGreaterThan(30)
    expect(new Map([...latest].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...expected].sort((a, b) => a[0] - b[0])))
  })

  test('q7 finds the highest bid of each closed 10 s tumbling window', async () => {
    const driver = await run((app) => q7(app))
    const out = await driver.output('nexmark-q7', { key: serdes.float64(), value: serdes.json<HighestBid>() }).readAll()
    const expected = new Map<number, HighestBid>()
    for (const bid of bids) {
      const windowStart = Math.floor(bid.dateTime / 10_000) * 10_000
      const highest = expected.get(windowStart)
      if (highest === undefined || bid.price > highest.price) expected.set(windowStart, { windowStart, price: bid.price, bids: [bid] })
      else if (bid.price === highest.price) expected.set(windowStart, { ...highest, bids: [...highest.bids, bid] })
    }
    for (const windowStart of [...expected.keys()]) if (windowStart + 10_000 > lastTime) expected.delete(windowStart)
    expect(expected.size).toBeGreaterThan(5)
    expect(new Map(out.map((record) => [record.key, record.value]))).toEqual(expected)
    expect(out).toHaveLength(expected.size) // one final result per window
  })

  /**
   * Sends the events to their topics in generation order (a run of one type per call): persons
   * (unless asked not to) and auctions, and the bids when asked.
   */
  async function runInOrder(query: (app: App) => void, options: { readonly persons?: boolean; readonly bids?: boolean; readonly cacheMaxBytes?: number } = {}): Promise<Awaited<ReturnType<typeof start>>> {
    const driver = await start(query, { cacheMaxBytes: options.cacheMaxBytes ?? 0 })
    const inputs = {
      person: driver.input('nexmark-persons', { key: serdes.string(), value: nexmarkSerdes.person() }),
      auction: driver.input('nexmark-auctions', { key: serdes.string(), value: nexmarkSerdes.auction() }),
      bid: driver.input('nexmark-bids', { key: serdes.string(), value: nexmarkSerdes.bid() }),
    }
    for (let at = 0; at < events.length; ) {
      const type = events[at]!.type
      let end = at
      while (end < events.length && events[end]!.type === type) end++
      const run = events.slice(at, end)
      if (type === 'person' && options.persons !== false) await inputs.person.sendAll(run.map((event) => { const person = (event as { person: Person }).person; return { key: String(person.id), value: person, timestamp: person.dateTime } }))
      else if (type === 'auction') await inputs.auction.sendAll(run.map((event) => { const auction = (event as { auction: Auction }).auction; return { key: String(auction.id), value: auction, timestamp: auction.dateTime } }))
      else if (type === 'bid' && options.bids === true) await inputs.bid.sendAll(run.map((event) => { const bid = (event as { bid: Bid }).bid; return { key: String(bid.auction), value: bid, timestamp: bid.dateTime } }))
      at = end
    }
    return driver
  }

  const runPersonsAndAuctions = (query: (app: App) => void): ReturnType<typeof runInOrder> => runInOrder(query)

  for (const cacheMaxBytes of [0, 10 * 1024 * 1024]) {
    test(`q4 averages the best bid of each auction (within its lifetime) per category (cache ${cacheMaxBytes === 0 ? 'off' : 'on'})`, async () => {
      const driver = await runInOrder((app) => q4(app), { persons: false, bids: true, cacheMaxBytes })
      const out = await driver.output('nexmark-q4', { key: serdes.float64(), value: serdes.nullable(serdes.json<CategoryAverage>()) }).readAll()
      const latest = new Map<number, CategoryAverage | null>()
      for (const record of out) latest.set(record.key, record.value)
      const auctions = new Map<number, Auction>()
      const best = new Map<number, number>()
      for (const event of events) {
        if (event.type === 'auction') auctions.set(event.auction.id, event.auction)
        if (event.type !== 'bid') continue
        const auction = auctions.get(event.bid.auction)
        if (auction === undefined || event.bid.dateTime < auction.dateTime || event.bid.dateTime > auction.expires) continue
        best.set(auction.id, Math.max(best.get(auction.id) ?? -Infinity, event.bid.price))
      }
      const sums = new Map<number, { total: number; auctions: number }>()
      for (const [id, price] of best) {
        const category = auctions.get(id)!.category
        const sum = sums.get(category) ?? { total: 0, auctions: 0 }
        sums.set(category, { total: sum.total + price, auctions: sum.auctions + 1 })
      }
      const expected = new Map([...sums].map(([category, sum]) => [category, { category, average: sum.total / sum.auctions, auctions: sum.auctions }]))
      expect(expected.size).toBeGreaterThan(3)
      expect(new Map([...latest].sort((a, b) => a[0] - b[0]))).toEqual(new Map([...expected].sort((a, b) => a[0] - b[0])))
    })
  }

  test('q3 reports the category-10 auctions of sellers in OR, ID and CA, with their names and cities', async () => {
    const driver = await runPersonsAndAuctions((app) => q3(app))
    const out = await driver.output('nexmark-q3', { key: serdes.string(), value: serdes.json<LocalItem>() }).readAll()
    const persons = new Map<number, Person>()
    const expected: LocalItem[] = []
    for (const event of events) {
      if (event.type === 'person') persons.set(event.person.id, event.person)
      if (event.type !== 'auction' || event.auction.category !== 10) continue
      const seller = persons.get(event.auction.seller)
      if (seller !== undefined && LOCAL_STATES.includes(seller.state)) expected.push({ name: seller.name, city: seller.city, state: seller.state, auction: event.auction.id })
    }
    expect(expected.length).toBeGreaterThan(10)
    expect(out.map((record) => record.value)).toEqual(expected)
  })

  test('q8 reports the persons who opened an auction in the 10 s window they registered in, once per window', async () => {
    const driver = await runPersonsAndAuctions((app) => q8(app))
    const out = await driver.output('nexmark-q8', { key: serdes.string(), value: serdes.json<NewUser>() }).readAll()
    const lastTime = Math.max(...events.map((event) => (event.type === 'person' ? event.person.dateTime : event.type === 'auction' ? event.auction.dateTime : event.bid.dateTime)))
    // Windows near the end may not have closed: compare the ones well before it.
    const settled = (windowStart: number): boolean => windowStart + 10_000 + Q8_GRACE_MS <= lastTime
    const sellerWindows = new Set<string>()
    for (const event of events) if (event.type === 'auction') sellerWindows.add(`${event.auction.seller}@${Math.floor(event.auction.dateTime / 10_000) * 10_000}`)
    const expected: NewUser[] = []
    for (const event of events) {
      if (event.type !== 'person') continue
      const windowStart = Math.floor(event.person.dateTime / 10_000) * 10_000
      if (sellerWindows.has(`${event.person.id}@${windowStart}`)) expected.push({ id: event.person.id, name: event.person.name, windowStart })
    }
    const byId = (a: NewUser, b: NewUser): number => a.windowStart - b.windowStart || a.id - b.id
    expect(expected.filter((user) => settled(user.windowStart)).length).toBeGreaterThan(10)
    expect(out.map((record) => record.value).filter((user) => settled(user.windowStart)).sort(byId)).toEqual(expected.filter((user) => settled(user.windowStart)).sort(byId))
  })
})
