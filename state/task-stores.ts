import fs from 'node:fs'
import path from 'node:path'
import type { Log, ProducerRecord } from '../core/log/types.js'
import type { StoreBackend, StoreBackendFactory } from './backend/types.js'
import type { CacheBudget } from './cache-budget.js'
import { deleteCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint.js'
import { CachedKeyValueStore } from './key-value-store.js'
import { LoggedBytesStore } from './logged-bytes-store.js'
import { restoreShard, type RestoreProgress } from './restore.js'
import { changelogTopic, type LogSerdes, type StoreSpec } from './store-spec.js'
import type { SessionStore, WindowStore } from './types.js'
import { LoggedWindowStore } from './window-store.js'
import { LoggedSessionStore } from './session-store.js'

/** A store shard as a task holds it. */
export type ShardStore = CachedKeyValueStore<unknown, unknown> | WindowStore<unknown, unknown> | SessionStore<unknown, unknown>

interface Shard {
  readonly spec: StoreSpec
  readonly dir: string | undefined
  readonly topic: string
  readonly backend: StoreBackend
  readonly bytes: LoggedBytesStore
  readonly store: ShardStore
}

export interface TaskStoresOptions {
  readonly appId: string
  readonly partition: number
  readonly specs: readonly StoreSpec[]
  readonly backends: StoreBackendFactory
  /** `<stateDir>/<app id>`: shards live in `<name>-<partition>` below it (persistent backends only). */
  readonly appDir: string
  readonly log: Log
  readonly exactlyOnce: boolean
  readonly budget: CacheBudget
  /** Buffers a changelog record with the task's outputs (in its transaction under exactly_once). */
  readonly send: (record: ProducerRecord) => void
  readonly progress?: (progress: RestoreProgress) => void
}

/**
 * The store shards of one task (one partition of each store of its sub-topology): opened and
 * restored from their changelogs before the task processes a record, flushed at every commit,
 * checkpointed so the next start replays only what is new.
 *
 * Checkpoints follow Kafka Streams. Under at_least_once one is written after every commit: a
 * restart replays the changelog from there (a store ahead of its checkpoint is harmless, since
 * replay rewrites the same values). Under exactly_once the store may hold changes of a
 * transaction that was aborted, so a checkpoint is trusted only after a clean shutdown: it is
 * removed when the task opens, rewritten when it closes cleanly, and a task that finds none
 * wipes its shard and rebuilds it from the committed changelog.
 */
export class TaskStores {
  private readonly shards = new Map<string, Shard>()

  constructor(private readonly options: TaskStoresOptions) {}

  get size(): number {
    return this.shards.size
  }

  /** Opens every shard and restores it; resolves once all can serve. */
  async open(): Promise<void> {
    for (const spec of this.options.specs) this.shards.set(spec.name, await this.openShard(spec))
  }

  /** The shard of a store, typed by the operator that declared it. */
  store<S = ShardStore>(name: string): S | undefined {
    return this.shards.get(name)?.store as S | undefined
  }

  /** Flushes the caches (forwarding their changes downstream); returns how many entries left them. */
  flushCaches(): number {
    let flushed = 0
    for (const shard of this.shards.values()) if (shard.store instanceof CachedKeyValueStore || shard.store instanceof LoggedWindowStore) flushed += shard.store.flush()
    return flushed
  }

  /**
   * The oldest timestamp among the updates the caches hold back from the operators downstream of
   * them (Infinity when none): an operator releasing by stream time (suppress) stops short of it.
   */
  oldestHeldBack(): number {
    let oldest = Infinity
    for (const shard of this.shards.values()) {
      if (shard.store instanceof CachedKeyValueStore || shard.store instanceof LoggedWindowStore) oldest = Math.min(oldest, shard.store.oldestHeldBack())
    }
    return oldest
  }

  /** Starts writing every pending change to the backends (a checkpoint or close waits for it). */
  persistInBackground(): void {
    for (const shard of this.shards.values()) shard.bytes.writeInBackground()
  }

  /** Writes every pending change to the backends. */
  async persist(): Promise<void> {
    await Promise.all([...this.shards.values()].map((shard) => shard.bytes.flush()))
  }

  /** After a commit under at_least_once: records how far each store is complete. */
  async checkpoint(): Promise<void> {
    if (this.options.exactlyOnce) return
    await this.writeCheckpoints()
  }

  /** Closes the shards; after a clean stop (everything committed) they are checkpointed. */
  async close(clean: boolean): Promise<void> {
    try {
      if (clean) {
        await this.persist()
        await this.writeCheckpoints()
      }
    } finally {
      for (const shard of this.shards.values()) {
        if (shard.store instanceof CachedKeyValueStore || shard.store instanceof LoggedWindowStore) shard.store.close()
        await shard.backend.close()
      }
      this.shards.clear()
    }
  }

  private async writeCheckpoints(): Promise<void> {
    if (!this.options.backends.persistent) return
    const shards = [...this.shards.values()].filter((shard) => shard.dir !== undefined)
    if (shards.length === 0) return
    await this.persist()
    for (const shard of shards) {
      const description = await this.options.log.describeTopic(shard.topic)
      const offset = description.partitions[this.options.partition]?.endOffset ?? 0
      await shard.backend.flush()
      writeCheckpoint(shard.dir!, { offset })
    }
  }

  private async openShard(spec: StoreSpec): Promise<Shard> {
    const { appId, partition, backends, log } = this.options
    const topic = changelogTopic(appId, spec.name)
    let dir: string | undefined
    let from = 0
    if (backends.persistent) {
      dir = path.join(this.options.appDir, `${spec.name}-${partition}`)
      const checkpoint = readCheckpoint(dir)
      if (checkpoint === undefined) fs.rmSync(dir, { recursive: true, force: true })
      else {
        from = checkpoint.offset
        if (this.options.exactlyOnce) deleteCheckpoint(dir)
      }
      fs.mkdirSync(dir, { recursive: true })
    }
    const backend = await backends.open(dir ?? '')
    try {
      await restoreShard({ log, store: spec.name, topic, partition, from, apply: (writes) => backend.write(writes), ...(this.options.progress ? { progress: this.options.progress } : {}) })
    } catch (error) {
      await backend.close()
      throw error
    }
    const send = this.options.send
    const bytes = new LoggedBytesStore(backend, (key, value) => send({ topic, partition, key, value }))
    const serdes = logSerdes(spec, topic)
    let store: ShardStore
    if (spec.kind === 'key-value') store = new CachedKeyValueStore(bytes, serdes, spec.name, spec.cache === false ? undefined : this.options.budget)
    else if (spec.kind === 'window') {
      const budget = spec.cache === false ? undefined : this.options.budget
      store = new LoggedWindowStore(bytes, serdes, { name: spec.name, windowSizeMs: spec.windowSizeMs, retentionMs: spec.retentionMs, streamTimeFromCaller: spec.streamTimeFromCaller === true, budget, resident: spec.resident === true })
    }
    else store = new LoggedSessionStore(bytes, serdes, { name: spec.name, retentionMs: spec.retentionMs, streamTimeFromCaller: spec.streamTimeFromCaller === true })
    return { spec, dir, topic, backend, bytes, store }
  }
}

function logSerdes(spec: StoreSpec, topic: string): LogSerdes<unknown, unknown> {
  return { key: spec.key, value: spec.value, keyContext: { topic, isKey: true }, valueContext: { topic, isKey: false } }
}
