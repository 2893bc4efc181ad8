import { overlayRange } from './overlay-range.js'
import { inRange, type BackendEntry, type BackendRange, type BackendWrite, type StoreBackend } from './backend/types.js'

/** What `peek` answers when a value is not at hand without I/O. */
export const MISS: unique symbol = Symbol('tributary.miss')

/** Receives every change of a shard, in order: the changelog writer. */
export type ChangeLogger = (key: Buffer, value: Buffer | null) => void

/**
 * One shard of a store in bytes, between the typed stores and the backend. A `put` is visible
 * at once and synchronous: it lands in a buffer of pending writes and is handed to the
 * changelog; the buffer goes to the backend in one write batch at the next `flush()` (the
 * commit), or earlier in the background when it outgrows `maxPendingBytes`, so memory stays
 * bounded however many keys change between commits. Reads see pending writes first.
 */
export class LoggedBytesStore {
  private pending = new Map<string, BackendWrite>()
  private pendingBytes = 0
  /** Writes handed to the backend and not yet acknowledged (still visible to reads). */
  private writing = new Map<string, BackendWrite>()
  private write: Promise<void> = Promise.resolve()
  private failure: unknown

  constructor(
    readonly backend: StoreBackend,
    private readonly logger: ChangeLogger | undefined,
    private readonly maxPendingBytes = 4 << 20,
  ) {}

  /** The value of a key: synchronous when a pending write or the backend has it at hand. */
  get(key: Buffer): Buffer | undefined | Promise<Buffer | undefined> {
    const id = key.toString('latin1')
    const write = this.pending.get(id) ?? this.writing.get(id)
    if (write !== undefined) return write.value ?? undefined
    return this.backend.get(key)
  }

  /** The value of a key when it is at hand without reading the backend's disk, else MISS. */
  peek(key: Buffer): Buffer | undefined | typeof MISS {
    const id = key.toString('latin1')
    const write = this.pending.get(id) ?? this.writing.get(id)
    if (write !== undefined) return write.value ?? undefined
    return this.backend.synchronous ? (this.backend.get(key) as Buffer | undefined) : MISS
  }

  /** The values of several keys, those not at hand read from the backend in one round trip. */
  async getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    const values: (Buffer | undefined)[] = new Array<Buffer | undefined>(keys.length)
    const missing: number[] = []
    keys.forEach((key, index) => {
      const known = this.peek(key)
      if (known === MISS) missing.push(index)
      else values[index] = known
    })
    if (missing.length === 0) return values
    const read = await this.backend.getMany(missing.map((index) => keys[index]!))
    missing.forEach((index, at) => {
      // A write that landed while the read was under way is newer than what it found.
      const known = this.peek(keys[index]!)
      values[index] = known === MISS ? read[at] : known
    })
    return values
  }

  /** Writes (or with `null` deletes) a key, logging the change. */
  put(key: Buffer, value: Buffer | null): void {
    const id = key.toString('latin1')
    const previous = this.pending.get(id)
    if (previous !== undefined) this.pendingBytes -= entryBytes(previous)
    const write = { key, value }
    this.pending.set(id, write)
    this.pendingBytes += entryBytes(write)
    this.logger?.(key, value)
    if (this.pendingBytes >= this.maxPendingBytes) this.startWrite()
  }

  /** Entries in key order, pending writes included (a pending delete hides the stored entry). */
  range(range: BackendRange = {}): AsyncIterable<BackendEntry> {
    const overlay = new Map(this.writing)
    for (const [id, write] of this.pending) overlay.set(id, write)
    return overlayRange(overlay.values(), (unlimited) => this.backend.range(unlimited), range)
  }

  /**
   * Removes [gte, lt) here only, without logging: for retention, which the changelog applies on
   * its own. The delete queues behind the writes handed to the backend before it, so a put made
   * after it survives; a failure rejects the promise and is thrown by the next `flush()` too.
   */
  deleteRangeLocally(gte: Buffer, lt: Buffer): Promise<void> {
    for (const [id, write] of this.pending) {
      if (!inRange(write.key, { gte, lt })) continue
      this.pending.delete(id)
      this.pendingBytes -= entryBytes(write)
    }
    this.write = this.write.then(async () => {
      try {
        await this.backend.deleteRange(gte, lt)
      } catch (error) {
        this.failure ??= error
      }
    })
    return this.write.then(() => {
      if (this.failure !== undefined) throw this.failure
    })
  }

  /** Writes what is pending to the backend and waits for every write so far. */
  async flush(): Promise<void> {
    this.startWrite()
    await this.write
    if (this.failure !== undefined) throw this.failure
  }

  /**
   * Hands what is pending to the backend without waiting for it (the commit does not need the
   * write done: reads see it meanwhile, and a checkpoint waits with `flush`). Throws a failure
   * of an earlier write.
   */
  writeInBackground(): void {
    if (this.failure !== undefined) throw this.failure
    this.startWrite()
  }

  /** Bytes of pending writes (for metrics). */
  get pendingSize(): number {
    return this.pendingBytes
  }

  private startWrite(): void {
    if (this.pending.size === 0) return
    const batch = this.pending
    this.pending = new Map()
    this.pendingBytes = 0
    // Visible in `writing` from now on, so no read falls through to the backend before it has them.
    for (const [id, write] of batch) this.writing.set(id, write)
    this.write = this.write.then(async () => {
      try {
        await this.backend.write([...batch.values()])
      } catch (error) {
        this.failure ??= error
      } finally {
        // A key written again meanwhile stays in `pending`, which reads consult first.
        for (const [id, write] of batch) if (this.writing.get(id) === write) this.writing.delete(id)
      }
    })
  }
}

/** What a pending write counts for against `maxPendingBytes`: its bytes and the map entry's overhead. */
function entryBytes(write: BackendWrite): number {
  return write.key.length + (write.value?.length ?? 0) + 48
}
