import { serdes, type App } from '../../index.js'
import { mapValues } from '../../operators/index.js'
import { nexmarkSerdes } from '../../connectors/nexmark/index.js'
import { queryTopics, type QueryTopics } from './topics.js'

/** Dollars to euros, as Nexmark's q1 has it. */
export const EUROS_PER_DOLLAR = 0.908

/**
 * Nexmark q1, currency conversion: every bid with its price in euros.
 * `SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid`
 */
export function q1(app: App, topics: QueryTopics = queryTopics('q1')): void {
  app.stream(topics.inputs.bids, { key: serdes.string(), value: nexmarkSerdes.bid() })
    .pipe(mapValues((bid) => ({ ...bid, price: bid.price * EUROS_PER_DOLLAR })))
    .to(topics.output, { key: serdes.string(), value: nexmarkSerdes.bid() })
}
