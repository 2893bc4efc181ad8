import type { Serde, SerdeContext } from '../core/serde/types.js'

/** The serdes of a typed store, with the contexts their errors name. */
export interface StoreSerdes<K, V> {
  readonly key: Serde<K>
  readonly value: Serde<V>
  /** Default `{ topic: <store name>, isKey: true }`. */
  readonly keyContext?: SerdeContext
  /** Default `{ topic: <store name>, isKey: false }`. */
  readonly valueContext?: SerdeContext
}

/**
 * Keys and values of a store to bytes and back, each serde called with its context.
 *
 * @example
 * const codec = new StoreCodec({ key: serdes.string(), value: serdes.json() }, 'clicks')
 * codec.decodeValue(codec.encodeValue({ n: 1 })) // { n: 1 }
 */
export class StoreCodec<K, V> {
  private readonly keyContext: SerdeContext
  private readonly valueContext: SerdeContext

  constructor(
    private readonly serdes: StoreSerdes<K, V>,
    storeName: string,
  ) {
    this.keyContext = serdes.keyContext ?? { topic: storeName, isKey: true }
    this.valueContext = serdes.valueContext ?? { topic: storeName, isKey: false }
  }

  encodeKey(key: K): Buffer {
    return this.serdes.key.serialize(key, this.keyContext)
  }

  decodeKey(bytes: Buffer): K {
    return this.serdes.key.deserialize(bytes, this.keyContext)
  }

  encodeValue(value: V): Buffer {
    return this.serdes.value.serialize(value, this.valueContext)
  }

  decodeValue(bytes: Buffer): V {
    return this.serdes.value.deserialize(bytes, this.valueContext)
  }
}
