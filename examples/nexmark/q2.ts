import { serdes, type App } from '../../index.js'
import { filter, mapValues } from '../../operators/index.js'
import { nexmarkSerdes } from '../../connectors/nexmark/index.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** What q2 keeps of a bid. */
export interface AuctionPrice {
  readonly auction: number
  readonly price: number
}

/**
 * Nexmark q2, selection: the bids on every 123rd auction.
 * `SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0`
 */
export function q2(app: App, topics: QueryTopics = queryTopics('q2')): void {
  app.stream(topics.inputs.bids, { key: serdes.string(), value: nexmarkSerdes.bid() })
    .pipe(
      filter((bid) => bid.auction % 123 === 0),
      mapValues((bid): AuctionPrice => ({ auction: bid.auction, price: bid.price })),
    )
    .to(topics.output, { key: serdes.string(), value: serdes.json({ shape: { auction: 'number', price: 'number' }, name: 'AuctionPrice' }) })
}
