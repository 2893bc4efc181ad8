import type { Serde } from '../serde/types.js'

/**
 * A global table (Kafka Streams' GlobalKTable): every partition of a topic, replicated in full to
 * every instance of the app and kept up to date as the topic grows. A stream joins it by a key it
 * extracts from each record (`stream.join(global, keyOf, joiner)`), with no co-partitioning and no
 * repartition: what a small, widely shared table (currencies, products, countries) wants. The
 * store is filled from the topic before the app processes a record, and can be queried with
 * `app.store(name)`. Declared with `app.globalTable(topic, ...)`.
 *
 * @example
 * const products = app.globalTable('products', { key: serdes.string(), value: serdes.json<Product>() })
 * orders.join(products, (orderId, order) => order.productId, (order, product) => ({ ...order, price: product.price }))
 */
export class GlobalTable<K, V> {
  /** @internal */
  constructor(
    /** The name of the store holding it (`app.store(name)` reads it). */
    readonly storeName: string,
    /** The topic it replicates. */
    readonly topic: string,
    /** @internal */
    readonly keySerde: Serde<K>,
    /** @internal */
    readonly valueSerde: Serde<V>,
  ) {}
}
