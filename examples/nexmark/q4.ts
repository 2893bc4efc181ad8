import { serdes, type App } from '../../index.js'
import { filter, mapValues } from '../../operators/index.js'
import { nexmarkSerdes } from '../../connectors/nexmark/index.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** An auction's best bid so far (within its lifetime), and its category. */
export interface WinningBid {
  readonly category: number
  readonly price: number
}

/** q4's answer for one category: the average of its auctions' best bids. */
export interface CategoryAverage {
  readonly category: number
  readonly average: number
  readonly auctions: number
}

interface Sum {
  readonly total: number
  readonly auctions: number
}

/**
 * Nexmark q4, average price per category: the average of the best bid of each auction (bids
 * made between the auction's opening and its expiry), per category.
 * `SELECT Q.category, AVG(Q.final) FROM (SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
 *  WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires GROUP BY A.id, A.category) Q
 *  GROUP BY Q.category`
 * Auctions are a table keyed by id, and bids (keyed by auction) join it as they arrive; the best
 * bid per auction is a table, which is regrouped by category and averaged: when an auction's best
 * bid rises, the old price leaves its category's sum and the new one enters (a table groupBy
 * with a subtractor, as Kafka Streams' KGroupedTable).
 */
export function q4(app: App, topics: QueryTopics = queryTopics('q4')): void {
  // Uncached: an auction is in the table (which the join reads) as soon as it is read.
  const auctions = app.table(topics.inputs.auctions, { key: serdes.string(), value: nexmarkSerdes.auction(), name: 'q4-auctions', cache: false })
  app.stream(topics.inputs.bids, { key: serdes.string(), value: nexmarkSerdes.bid() })
    .join(auctions, (bid, auction) => ({ price: bid.price, category: auction.category, live: bid.dateTime >= auction.dateTime && bid.dateTime <= auction.expires }))
    .pipe(filter((bid) => bid.live), mapValues((bid): WinningBid => ({ category: bid.category, price: bid.price })))
    .groupByKey({ key: serdes.string(), value: serdes.json<WinningBid>() })
    .reduce((best, bid) => (bid.price > best.price ? bid : best), { name: 'q4-winning-bids', value: serdes.json<WinningBid>() })
    .groupBy((_auction, best) => [best.category, best.price], { name: 'q4-by-category', key: serdes.float64(), value: serdes.float64() })
    .aggregate(
      (): Sum => ({ total: 0, auctions: 0 }),
      (_category, price, sum) => ({ total: sum.total + price, auctions: sum.auctions + 1 }),
      (_category, price, sum) => ({ total: sum.total - price, auctions: sum.auctions - 1 }),
      { name: 'q4-price-sums', value: serdes.json<Sum>() },
    )
    .toStream()
    .pipe(mapValues((sum, record): CategoryAverage | null => (sum === null || sum.auctions === 0 ? null : { category: record.key, average: sum.total / sum.auctions, auctions: sum.auctions })))
    .to(topics.output, { key: serdes.float64(), value: serdes.nullable(serdes.json<CategoryAverage>()) })
}
