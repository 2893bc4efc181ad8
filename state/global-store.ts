import fs from 'node:fs'
import path from 'node:path'
import type { Consumer, Log, TopicPartition } from '../core/log/types.js'
import type { StoreBackend, StoreBackendFactory } from './backend/types.js'
import { readOffsetsCheckpoint, writeOffsetsCheckpoint } from './checkpoint.js'
import { CachedKeyValueStore } from './key-value-store.js'
import { LoggedBytesStore } from './logged-bytes-store.js'
import { restoreShard, type RestoreProgress } from './restore.js'
import type { KeyValueStoreSpec } from './store-spec.js'

export interface GlobalStoreOptions {
  /** The store: its name and the serdes of the topic's keys and values. */
  readonly spec: KeyValueStoreSpec
  /** The topic it replicates (every partition). */
  readonly topic: string
  readonly log: Log
  readonly backends: StoreBackendFactory
  /** `<stateDir>/<app id>`: the store lives in `global/<name>` below it (persistent backends only). */
  readonly appDir: string
  /** Read only committed records (under exactly_once). */
  readonly readCommitted: boolean
  readonly progress?: (progress: RestoreProgress) => void
}

/** Records one update poll takes at most (the rest waits for the next). */
const MAX_RECORDS_PER_POLL = 10_000

/**
 * A global table's store (Kafka Streams' global state store): a full copy of every partition
 * of a topic, held once per app instance and read by every task, as lookups that need no
 * co-partitioning. The topic is its changelog: the store is filled from it before the app
 * processes a record (from its checkpoint on a persistent backend), then kept up to date by
 * `update()`, which the runner calls every turn of its loop. Tombstones delete keys.
 *
 * @example
 * const rates = await GlobalStore.open({ spec, topic: 'exchange-rates', log, backends, appDir, readCommitted: true })
 * await rates.update()
 * const rate = await rates.store.get('EUR')
 */
export class GlobalStore {
  private constructor(
    readonly name: string,
    readonly topic: string,
    /** What tasks read (uncached: every update is visible to the next read). */
    readonly store: CachedKeyValueStore<unknown, unknown>,
    private readonly bytes: LoggedBytesStore,
    private readonly backend: StoreBackend,
    private readonly consumer: Consumer,
    private readonly partitions: readonly TopicPartition[],
    private readonly dir: string | undefined,
  ) {}

  /** Opens the store and brings it up to the topic's current end. */
  static async open(options: GlobalStoreOptions): Promise<GlobalStore> {
    const { spec, topic, log, backends } = options
    const description = await log.describeTopic(topic)
    const partitions = description.partitions.map(({ partition }) => ({ topic, partition }))
    let dir: string | undefined
    let from: readonly number[] = []
    if (backends.persistent) {
      dir = path.join(options.appDir, 'global', spec.name)
      const checkpoint = readOffsetsCheckpoint(dir)
      if (checkpoint === undefined || checkpoint.length !== partitions.length) fs.rmSync(dir, { recursive: true, force: true })
      else from = checkpoint
      fs.mkdirSync(dir, { recursive: true })
    }
    const backend = await backends.open(dir ?? '')
    let consumer: Consumer | undefined
    try {
      const ends: number[] = []
      for (const { partition } of partitions) {
        ends.push(await restoreShard({ log, store: spec.name, topic, partition, from: from[partition] ?? 0, apply: (writes) => backend.write(writes), ...(options.progress ? { progress: options.progress } : {}) }))
      }
      consumer = log.consumer({ isolation: options.readCommitted ? 'read_committed' : 'read_uncommitted', autoOffsetReset: 'earliest', maxPollRecords: MAX_RECORDS_PER_POLL })
      await consumer.assign(partitions)
      for (const tp of partitions) consumer.seek(tp, ends[tp.partition]!)
    } catch (error) {
      await consumer?.close()
      await backend.close()
      throw error
    }
    const bytes = new LoggedBytesStore(backend, undefined)
    const serdes = { key: spec.key, value: spec.value, keyContext: { topic, isKey: true }, valueContext: { topic, isKey: false } }
    const store = new CachedKeyValueStore<unknown, unknown>(bytes, serdes, spec.name, undefined)
    return new GlobalStore(spec.name, topic, store, bytes, backend, consumer, partitions, dir)
  }

  /** Takes what the topic has gained since the last call, without waiting for more; returns how many records. */
  async update(): Promise<number> {
    const records = await this.consumer.poll({ timeoutMs: 0 })
    for (const record of records) if (record.key !== null) this.bytes.put(record.key, record.value)
    if (records.length > 0) this.bytes.writeInBackground()
    return records.length
  }

  /** Records how far the store is complete, so the next start reads only what is newer. */
  async checkpoint(): Promise<void> {
    if (this.dir === undefined) return
    const offsets = this.partitions.map((tp) => this.consumer.position(tp))
    await this.bytes.flush()
    await this.backend.flush()
    writeOffsetsCheckpoint(this.dir, offsets)
  }

  /** Checkpoints (unless the app failed) and closes. */
  async close(clean: boolean): Promise<void> {
    try {
      if (clean) await this.checkpoint()
    } finally {
      this.store.close()
      await this.consumer.close()
      await this.backend.close()
    }
  }
}
