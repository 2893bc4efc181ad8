import { serdes, type App } from '../../index.js'
import { map, tumbling, untilWindowCloses } from '../../operators/index.js'
import { NEXMARK_SHAPES, nexmarkSerdes, type Bid } from '../../connectors/nexmark/index.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** q7's answer for one window: the highest price and the bids that offered it. */
export interface HighestBid {
  readonly windowStart: number
  readonly price: number
  readonly bids: readonly Bid[]
}

/** The tumbling window of q7: 10 s. */
export const Q7_WINDOW = tumbling('10s')

/**
 * Nexmark q7, highest bid: per 10-second tumbling window, the bids with the highest price.
 * All bids are grouped under one key (one task sees them all, as the query needs a global
 * maximum), reduced to the highest per window, and each window's final result is emitted once
 * it closes (suppress).
 */
export function q7(app: App, topics: QueryTopics = queryTopics('q7')): void {
  app.stream(topics.inputs.bids, { key: serdes.string(), value: nexmarkSerdes.bid() })
    .groupBy(() => 'all', { key: serdes.string(), value: nexmarkSerdes.bid(), name: 'q7-all-bids' })
    .windowedBy(Q7_WINDOW)
    .aggregate(
      (): { price: number; bids: readonly Bid[] } => ({ price: -1, bids: [] }),
      (_all, bid, highest) => (bid.price > highest.price ? { price: bid.price, bids: [bid] } : bid.price === highest.price ? { price: bid.price, bids: [...highest.bids, bid] } : highest),
      { name: 'q7-highest-bid', value: serdes.json({ shape: { price: 'number', bids: [NEXMARK_SHAPES.bid] }, name: 'HighestPrice' }) },
    )
    .suppress(untilWindowCloses())
    .toStream()
    .pipe(map((record) => ({ key: record.key.window.start, value: { windowStart: record.key.window.start, price: record.value?.price ?? -1, bids: record.value?.bids ?? [] } as HighestBid })))
    .to(topics.output, { key: serdes.float64(), value: serdes.json({ shape: { windowStart: 'number', price: 'number', bids: [NEXMARK_SHAPES.bid] }, name: 'HighestBid' }) })
}
