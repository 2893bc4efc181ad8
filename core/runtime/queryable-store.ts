import { defer, type Observable } from 'rxjs'
import { partitionForKey } from '../log/partitioner.js'
import type { CachedKeyValueStore } from '../../state/key-value-store.js'
import { StoreNotLocalError } from '../../state/errors.js'
import type { KeyValueStoreSpec } from '../../state/store-spec.js'
import type { KeyValue, ReadOnlyKeyValueStore } from '../../state/types.js'

/** Where a queryable store finds the shards this instance hosts. */
export interface ShardDirectory {
  /** The running shards of a store, by partition. */
  shards(store: string): Map<number, unknown>
  /** How many partitions (shards) the store has, once the app runs. */
  partitions(store: string): number | undefined
}

/**
 * A store read from outside the pipeline (Kafka Streams' interactive queries). A key is
 * answered by the shard of its partition when this instance hosts it; otherwise
 * StoreNotLocalError says so (another instance owns that partition, or the app is not
 * running). Scans cover the shards hosted here.
 *
 * @example
 * const counts = app.store<string, number>('word-counts')
 * await counts.get('kafka')              // 42
 * counts.watch('kafka').subscribe((n) => console.log(n))
 */
export class QueryableStore<K, V> implements ReadOnlyKeyValueStore<K, V> {
  /** @internal */
  constructor(
    private readonly spec: KeyValueStoreSpec,
    private readonly directory: ShardDirectory,
  ) {}

  get name(): string {
    return this.spec.name
  }

  /** The partition (shard) a key belongs to: the murmur2 hash of its serialized bytes. */
  partitionOf(key: K): number {
    const partitions = this.directory.partitions(this.spec.name)
    if (partitions === undefined) throw new StoreNotLocalError(this.spec.name, -1, 'cannot be located: the app is not running')
    return partitionForKey(this.spec.key.serialize(key, { topic: this.spec.name, isKey: true }), partitions)
  }

  get(key: K): Promise<V | undefined> {
    try {
      return this.shardOf(key).get(key)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  range(from: K, to: K): AsyncIterable<KeyValue<K, V>> {
    return this.acrossShards((shard) => shard.range(from, to))
  }

  prefixScan(prefix: K): AsyncIterable<KeyValue<K, V>> {
    return this.acrossShards((shard) => shard.prefixScan(prefix))
  }

  all(): AsyncIterable<KeyValue<K, V>> {
    return this.acrossShards((shard) => shard.all())
  }

  async approximateCount(): Promise<number> {
    let total = 0
    for (const shard of this.localShards()) total += await shard.approximateCount()
    return total
  }

  /**
   * The key's value now, then each change of it as it leaves the store's cache (at commits),
   * `undefined` when deleted. Errors with StoreNotLocalError when its partition is not here.
   */
  watch(key: K): Observable<V | undefined> {
    return defer(() => this.shardOf(key).watch(key))
  }

  private shardOf(key: K): CachedKeyValueStore<K, V> {
    const partition = this.partitionOf(key)
    const shard = this.directory.shards(this.spec.name).get(partition)
    if (shard === undefined) throw new StoreNotLocalError(this.spec.name, partition, 'is not hosted by this instance: another instance of the app owns it, or it is being restored; ask the instance that hosts it')
    return shard as CachedKeyValueStore<K, V>
  }

  private localShards(): CachedKeyValueStore<K, V>[] {
    const shards = this.directory.shards(this.spec.name)
    return [...shards.keys()].sort((a, b) => a - b).map((partition) => shards.get(partition) as CachedKeyValueStore<K, V>)
  }

  private async *acrossShards(scan: (shard: CachedKeyValueStore<K, V>) => AsyncIterable<KeyValue<K, V>>): AsyncIterable<KeyValue<K, V>> {
    for (const shard of this.localShards()) yield* scan(shard)
  }
}
