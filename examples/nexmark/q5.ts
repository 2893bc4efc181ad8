import { serdes, type App } from '../../index.js'
import { hopping, map, untilWindowCloses } from '../../operators/index.js'
import { nexmarkSerdes } from '../../connectors/nexmark/index.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** q5's answer for one window: the auctions with the most bids, and how many they had. */
export interface HotItems {
  readonly windowStart: number
  readonly bids: number
  readonly auctions: readonly number[]
}

const hotItemsSerde = serdes.json({ shape: { windowStart: 'number', bids: 'number', auctions: ['number'] }, name: 'HotItems' })

/** The hopping window of q5: 10 s, every 2 s. */
export const Q5_WINDOW = hopping('10s', '2s')

/**
 * Nexmark q5, hot items: per 10-second window sliding every 2 seconds, the auctions with the
 * most bids. Bids are counted per auction and window, each window's final counts (suppress)
 * are regrouped by window, and the window's maximum is kept as they come: the last update of a
 * window is its answer.
 */
export function q5(app: App, topics: QueryTopics = queryTopics('q5')): void {
  app.stream(topics.inputs.bids, { key: serdes.string(), value: nexmarkSerdes.bid() })
    .groupBy((bid) => bid.auction, { key: serdes.int32(), value: nexmarkSerdes.bid(), name: 'q5-bids-by-auction' })
    .windowedBy(Q5_WINDOW)
    .count({ name: 'q5-bids-per-auction' })
    .suppress(untilWindowCloses())
    .toStream()
    .pipe(map((record) => ({ key: record.key.window.start, value: { auction: record.key.key, bids: record.value ?? 0 } })))
    .groupByKey({ key: serdes.float64(), value: serdes.json({ shape: { auction: 'number', bids: 'number' }, name: 'AuctionBids' }) })
    .aggregate(
      (): HotItems => ({ windowStart: 0, bids: 0, auctions: [] }),
      (windowStart, { auction, bids }, hot): HotItems => {
        if (bids > hot.bids) return { windowStart, bids, auctions: [auction] }
        return bids === hot.bids ? { windowStart, bids, auctions: [...hot.auctions, auction].sort((a, b) => a - b) } : hot
      },
      { name: 'q5-hot-items', key: serdes.float64(), value: hotItemsSerde },
    )
    .toStream()
    .to(topics.output, { key: serdes.float64(), value: hotItemsSerde })
}
