import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../core/errors.js'
import { NexmarkGenerator } from '../../../connectors/nexmark/generator.js'
import { NEXMARK_BASE_TIME_MS } from '../../../connectors/nexmark/options.js'
import { generate, timeOf } from './helpers.js'

/** The first 16 hex digits of the SHA-256 of the first 2000 events of seed 7, as JSON. */
const FINGERPRINT_SEED_7 = 'ed0924cbf71fa03c'

describe('NexmarkGenerator: determinism', () => {
  it('gives the same events for the same seed', () => {
    expect(generate({ seed: 42, maxEvents: 5000 })).toEqual(generate({ seed: 42, maxEvents: 5000 }))
  })

  it('gives other contents, but the same ids and times, for another seed', () => {
    const a = generate({ seed: 1, maxEvents: 500 })
    const b = generate({ seed: 2, maxEvents: 500 })
    expect(a).not.toEqual(b)
    expect(a.map((e) => e.type)).toEqual(b.map((e) => e.type))
    expect(a.map(timeOf)).toEqual(b.map(timeOf))
  })

  it('keeps the sequence of a seed from one version to the next (a fingerprint of 2000 events)', () => {
    const text = JSON.stringify(generate({ seed: 7, maxEvents: 2000 }))
    // Changing this value changes every stored benchmark data set: do it on purpose only.
    expect(createHash('sha256').update(text).digest('hex').slice(0, 16)).toBe(FINGERPRINT_SEED_7)
  })

  it('resumes at startAtEvent with the events an uninterrupted run gives', () => {
    const whole = generate({ seed: 9, maxEvents: 3000 })
    const first = new NexmarkGenerator({ seed: 9, maxEvents: 1234 })
    const head = Array.from(first)
    const tail = generate({ seed: 9, startAtEvent: first.eventsSoFar, maxEvents: 3000 - 1234 })
    expect([...head, ...tail]).toEqual(whole)
  })

  it('stops after maxEvents, and nextEvent then returns undefined', () => {
    const generator = new NexmarkGenerator({ seed: 1, maxEvents: 3 })
    expect([generator.nextEvent(), generator.nextEvent(), generator.nextEvent()].every((e) => e !== undefined)).toBe(true)
    expect(generator.hasNext).toBe(false)
    expect(generator.nextEvent()).toBeUndefined()
    expect(generator.next()).toEqual({ done: true, value: undefined })
  })
})

describe('NexmarkGenerator: proportions and ids', () => {
  it('makes, of every 50 events, 1 person, then 3 auctions, then 46 bids', () => {
    const events = generate({ seed: 3, maxEvents: 50_000 })
    events.forEach((event, i) => {
      const offset = i % 50
      expect(event.type).toBe(offset === 0 ? 'person' : offset < 4 ? 'auction' : 'bid')
    })
    const count = (type: string): number => events.filter((e) => e.type === type).length
    expect([count('person'), count('auction'), count('bid')]).toEqual([1000, 3000, 46_000])
  })

  it('numbers persons and auctions from 1000 up, without gaps', () => {
    const events = generate({ seed: 3, maxEvents: 5000 })
    const personIds = events.flatMap((e) => (e.type === 'person' ? [e.person.id] : []))
    const auctionIds = events.flatMap((e) => (e.type === 'auction' ? [e.auction.id] : []))
    expect(personIds).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i))
    expect(auctionIds).toEqual(Array.from({ length: 300 }, (_, i) => 1000 + i))
  })

  it('names in a bid an auction and a bidder within the reference ranges', () => {
    // The reference rule: a random auction is one of the last `inFlightAuctions` (100) made, or up
    // to 10 ahead of the last; the hot auction is the first of the latest block of 100 auctions. A
    // random person is one of the last `activePeople` (1000), or up to 10 ahead; the hot bidder is
    // the second person of the latest block of 100, which may be one ahead of the last person.
    let lastPerson = -1
    let lastAuction = -1
    let bids = 0
    let auctionsMade = 0
    let biddersMade = 0
    const outOfRange: string[] = []
    for (const event of new NexmarkGenerator({ seed: 11, maxEvents: 200_000 })) {
      if (event.type === 'person') lastPerson = event.person.id
      else if (event.type === 'auction') lastAuction = event.auction.id
      else {
        const { auction, bidder } = event.bid
        if (auction < Math.max(1000, lastAuction - 100) || auction > lastAuction + 10) outOfRange.push(`auction ${auction} after ${lastAuction}`)
        if (bidder < Math.max(1000, lastPerson + 1 - 1000) || bidder > lastPerson + 10) outOfRange.push(`bidder ${bidder} after ${lastPerson}`)
        bids++
        if (auction <= lastAuction) auctionsMade++
        if (bidder <= lastPerson) biddersMade++
      }
    }
    expect(outOfRange).toEqual([])
    expect(bids).toBe(184_000)
    expect(auctionsMade / bids).toBeGreaterThan(0.9)
    expect(biddersMade / bids).toBeGreaterThan(0.9)
  })

  it('gives an auction a seller within the reference range, a category from 10 to 14, a reserve and an expiry', () => {
    let lastPerson = -1
    const categories = new Set<number>()
    for (const event of new NexmarkGenerator({ seed: 12, maxEvents: 100_000 })) {
      if (event.type === 'person') lastPerson = event.person.id
      if (event.type !== 'auction') continue
      const { seller, category, initialBid, reserve, dateTime, expires } = event.auction
      expect(seller).toBeGreaterThanOrEqual(Math.max(1000, lastPerson + 1 - 1000))
      expect(seller).toBeLessThanOrEqual(lastPerson + 10)
      categories.add(category)
      expect(reserve).toBeGreaterThanOrEqual(initialBid)
      expect(expires).toBeGreaterThan(dateTime)
    }
    expect([...categories].sort()).toEqual([10, 11, 12, 13, 14])
  })

  it('sends bids to hot auctions and from hot bidders with the configured ratios', () => {
    const hotShare = (hotAuctionRatio: number, hotBiddersRatio: number): { auctions: number; bidders: number } => {
      let lastPerson = 0
      let lastAuction = 0
      let bids = 0
      let hotAuctions = 0
      let hotBidders = 0
      for (const event of new NexmarkGenerator({ seed: 5, maxEvents: 200_000, hotAuctionRatio, hotBiddersRatio })) {
        if (event.type === 'person') lastPerson = event.person.id - 1000
        else if (event.type === 'auction') lastAuction = event.auction.id - 1000
        else {
          bids++
          if (event.bid.auction - 1000 === Math.floor(lastAuction / 100) * 100) hotAuctions++
          if (event.bid.bidder - 1000 === Math.floor(lastPerson / 100) * 100 + 1) hotBidders++
        }
      }
      return { auctions: hotAuctions / bids, bidders: hotBidders / bids }
    }
    const defaults = hotShare(2, 4) // the reference defaults: 1 - 1/2 and 1 - 1/4, plus random hits
    expect(defaults.auctions).toBeCloseTo(0.5, 1)
    expect(defaults.bidders).toBeCloseTo(0.75, 1)
    const skewed = hotShare(10, 100)
    expect(skewed.auctions).toBeCloseTo(0.9, 1)
    expect(skewed.bidders).toBeCloseTo(0.99, 1)
  })
})

describe('NexmarkGenerator: event time', () => {
  it('stamps event n at firstEventTimeMs + n / eventsPerSecond, never going back', () => {
    const times = generate({ seed: 1, maxEvents: 10_000 }).map(timeOf)
    expect(times[0]).toBe(NEXMARK_BASE_TIME_MS)
    times.forEach((time, n) => expect(time).toBe(NEXMARK_BASE_TIME_MS + Math.floor(n / 10))) // 10,000/s: 10 per ms
    const slow = generate({ seed: 1, maxEvents: 100, eventsPerSecond: 4, firstEventTimeMs: 0 }).map(timeOf)
    expect(slow.slice(0, 5)).toEqual([0, 250, 500, 750, 1000])
    expect(slow.every((time, i) => i === 0 || time >= (slow[i - 1] as number))).toBe(true)
  })

  it('shuffles ids and times inside groups of outOfOrderGroupSize, above the watermark', () => {
    const generator = new NexmarkGenerator({ seed: 1, maxEvents: 4000, eventsPerSecond: 1000, firstEventTimeMs: 0, outOfOrderGroupSize: 100 })
    const times: number[] = []
    for (let event = generator.nextEvent(); event !== undefined; event = generator.nextEvent()) {
      times.push(timeOf(event))
    }
    for (let group = 0; group < 40; group++) {
      const groupTimes = times.slice(group * 100, group * 100 + 100)
      expect([...groupTimes].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => group * 100 + i)) // 1 ms per event
      expect(Math.min(...groupTimes)).toBe(group * 100) // the watermark at the group's start
    }
    expect(times.some((time, i) => i > 0 && time < (times[i - 1] as number))).toBe(true)
  })

  it('reports a watermark no later event goes below', () => {
    const generator = new NexmarkGenerator({ seed: 1, maxEvents: 1000, outOfOrderGroupSize: 50 })
    let watermark = generator.watermarkMs
    for (let event = generator.nextEvent(); event !== undefined; event = generator.nextEvent()) {
      expect(timeOf(event)).toBeGreaterThanOrEqual(watermark)
      expect(generator.watermarkMs).toBeGreaterThanOrEqual(watermark)
      watermark = generator.watermarkMs
    }
  })
})

describe('NexmarkGenerator: values', () => {
  it('draws person fields from the reference lists and formats', () => {
    const persons = generate({ seed: 4, maxEvents: 20_000 }).flatMap((e) => (e.type === 'person' ? [e.person] : []))
    for (const person of persons) {
      expect(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY']).toContain(person.state)
      expect(['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne']).toContain(person.city)
      expect(person.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/)
      expect(person.emailAddress).toMatch(/^[a-z ]*@[a-z ]*\.com$/)
      expect(person.creditCard).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/)
    }
  })

  it('gives bids a price in cents from $1 to $1,000,000 and a hot or numbered channel with its URL', () => {
    const bids = generate({ seed: 4, maxEvents: 50_000 }).flatMap((e) => (e.type === 'bid' ? [e.bid] : []))
    const hot = bids.filter((bid) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(bid.channel))
    expect(hot.length / bids.length).toBeCloseTo(0.5, 1)
    const channel = /^(Google|Facebook|Baidu|Apple|channel-\d{1,4})$/
    const url = /^https:\/\/www\.nexmark\.com\/[a-z_]+\/[a-z_]+\/[a-z_]+\/item\.htm\?query=1(&channel_id=\d+)?$/
    const urlOfChannel = new Map<string, string>()
    const wrong = bids.filter((bid) => {
      const known = urlOfChannel.get(bid.channel) ?? bid.url // a channel always has the same URL
      urlOfChannel.set(bid.channel, known)
      return !Number.isInteger(bid.price) || bid.price < 100 || bid.price > 100_000_000 || !channel.test(bid.channel) || !url.test(bid.url) || bid.url !== known
    })
    expect(wrong).toEqual([])
  })

  it('pads records with extra to their average size: bids to 100 bytes of 32 fixed, ±20%', () => {
    const extras = generate({ seed: 4, maxEvents: 50_000 }).flatMap((e) => (e.type === 'bid' ? [e.bid.extra.length] : []))
    const mean = extras.reduce((a, b) => a + b, 0) / extras.length
    expect(mean).toBeGreaterThan(66)
    expect(mean).toBeLessThan(70)
    expect(Math.min(...extras)).toBeGreaterThanOrEqual(68 - 14)
    expect(Math.max(...extras)).toBeLessThan(68 + 14)
  })
})

describe('NexmarkGenerator: options', () => {
  it.each([
    [{ seed: 1.5 }, 'seed'],
    [{ seed: 1, eventsPerSecond: 0 }, 'eventsPerSecond'],
    [{ seed: 1, maxEvents: -1 }, 'maxEvents'],
    [{ seed: 1, outOfOrderGroupSize: 0 }, 'outOfOrderGroupSize'],
    [{ seed: 1, hotAuctionRatio: 0 }, 'hotAuctionRatio'],
    [{ seed: 1, firstEventTimeMs: Number.NaN }, 'firstEventTimeMs'],
  ])('refuses %o with a ConfigError naming %s', (options, field) => {
    let error: unknown
    try {
      new NexmarkGenerator(options)
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).field).toBe(field)
  })
})
