import { lowerBound } from '../../core/sorted.js'
import type { BackendEntry, BackendRange, BackendWrite, StoreBackend, StoreBackendFactory } from './types.js'

/**
 * A shard in memory: a hash map for point reads and writes, and a sorted key list, rebuilt
 * lazily after keys are added or removed, for ordered scans. Keys are held as latin1 strings,
 * whose order is the unsigned byte order of the keys. Nothing survives the process: the
 * changelog restores it on start.
 */
export class MemoryBackend implements StoreBackend {
  readonly kind = 'memory' as const
  readonly synchronous = true
  private readonly entries = new Map<string, Buffer>()
  private sorted: string[] | undefined = []

  get(key: Buffer): Buffer | undefined {
    return this.entries.get(key.toString('latin1'))
  }

  getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.get(key)))
  }

  write(writes: readonly BackendWrite[]): Promise<void> {
    for (const { key, value } of writes) this.apply(key.toString('latin1'), value)
    return Promise.resolve()
  }

  deleteRange(gte: Buffer, lt: Buffer): Promise<void> {
    const keys = this.sortedKeys()
    const from = lowerBound(keys, gte.toString('latin1'))
    const to = lowerBound(keys, lt.toString('latin1'))
    for (let i = from; i < to; i++) this.entries.delete(keys[i]!)
    if (to > from) this.sorted = undefined
    return Promise.resolve()
  }

  async *range(range: BackendRange = {}): AsyncIterable<BackendEntry> {
    // A snapshot of the key list: writes during the scan do not disturb it.
    const keys = this.sortedKeys()
    const from = range.gte === undefined ? 0 : lowerBound(keys, range.gte.toString('latin1'))
    const to = range.lt === undefined ? keys.length : lowerBound(keys, range.lt.toString('latin1'))
    const limit = range.limit ?? Infinity
    let emitted = 0
    for (let step = 0; step < to - from && emitted < limit; step++) {
      const key = keys[range.reverse === true ? to - 1 - step : from + step]!
      const value = this.entries.get(key)
      if (value === undefined) continue
      emitted++
      yield { key: Buffer.from(key, 'latin1'), value }
    }
  }

  approximateCount(): Promise<number> {
    return Promise.resolve(this.entries.size)
  }

  flush(): Promise<void> {
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.entries.clear()
    this.sorted = []
    return Promise.resolve()
  }

  private apply(key: string, value: Buffer | null): void {
    if (value === null) {
      if (this.entries.delete(key)) this.sorted = undefined
    } else {
      const size = this.entries.size
      this.entries.set(key, ownCopy(value))
      if (this.entries.size !== size) this.sorted = undefined
    }
  }

  private sortedKeys(): string[] {
    this.sorted ??= [...this.entries.keys()].sort()
    return this.sorted
  }
}

/**
 * A copy in a buffer of its own: a small Buffer is usually a slice of a shared 8 KiB block,
 * and keeping it for long would keep the whole block alive.
 */
function ownCopy(value: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(value.length)
  value.copy(copy)
  return copy
}


/**
 * Stores kept in memory: fast, and rebuilt from their changelogs whenever a task starts.
 *
 * @example
 * new App({ id: 'counts', log, stores: inMemoryStores() })
 */
export function inMemoryStores(): StoreBackendFactory {
  return { kind: 'memory', persistent: false, open: () => Promise.resolve(new MemoryBackend()) }
}
