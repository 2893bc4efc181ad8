import fs from 'node:fs'
import path from 'node:path'
import type { StoreMetrics } from './app-metrics.js'
import type { Task } from './task.js'

/** A store that can estimate its keys (key-value stores can; window and session stores do not say). */
interface Countable {
  approximateCount(): Promise<number>
}

/**
 * Measures the store shards of the tasks: the backend's estimate of keys where the store gives
 * one, and the bytes of the shard's directory (`<appDir>/<store>-<partition>`) on a persistent
 * backend. A shard closing meanwhile is left out; sizes are for watching, not for decisions.
 *
 * @example
 * const sizes = await measureStores(tasks, (task) => ['word-counts'], '/tmp/state/wordcount', true)
 */
export async function measureStores(tasks: Iterable<Task>, storesOf: (task: Task) => readonly string[], appDir: string, persistent: boolean): Promise<StoreMetrics[]> {
  const measured: StoreMetrics[] = []
  for (const task of tasks) {
    for (const store of storesOf(task)) {
      const shard = task.stores?.store<Partial<Countable>>(store)
      if (shard === undefined) continue
      let keys: number | undefined
      try {
        keys = typeof shard.approximateCount === 'function' ? await shard.approximateCount() : undefined
      } catch {
        continue
      }
      const diskBytes = persistent ? directoryBytes(path.join(appDir, `${store}-${task.partition}`)) : undefined
      measured.push({ store, partition: task.partition, keys, diskBytes })
    }
  }
  return measured
}

/** The bytes of the files under `dir` (0 when it is gone). */
function directoryBytes(dir: string): number {
  let total = 0
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) total += directoryBytes(full)
    else if (entry.isFile()) {
      try {
        total += fs.statSync(full).size
      } catch {
        // Removed meanwhile (RocksDB compacts files away): it no longer counts.
      }
    }
  }
  return total
}
