import type { SinkRecord } from '../../api/types.js'

/** A record and its body item, encoded once when it is put. */
export interface Entry {
  readonly record: SinkRecord
  readonly item: string
}

/**
 * A request's worth of records of one partition, sealed: it is sent as it is until the server
 * takes it, however often that takes, so its idempotency key always names the same records.
 */
export interface Batch {
  readonly entries: readonly Entry[]
  /** `${topic}-${partition}-${firstOffset}-${lastOffset}`: the same for a retry and a replay of these records. */
  readonly idempotencyKey: string
  /** True once the server refused the batch as a whole: it is then sent record by record. */
  refused: boolean
  /** Of a refused batch, how many records are done (delivered or dead-lettered). */
  isolatedCount: number
}

/**
 * The idempotency key of a run of records of one partition.
 *
 * @example
 * idempotencyKeyOf([{ topic: 'orders', partition: 0, offset: 40, … }, { …, offset: 41 }]) // 'orders-0-40-41'
 */
export function idempotencyKeyOf(records: readonly SinkRecord[]): string {
  const first = records[0]!
  const last = records[records.length - 1]!
  return `${first.topic}-${first.partition}-${first.offset}-${last.offset}`
}

/**
 * The sink's buffer: records are grouped per partition into batches of `batchSize`, sealed when
 * full or at a flush, and kept until sent. A sealed batch never changes, so the requests of a
 * retried flush are the same requests with the same keys.
 *
 * @example
 * const batches = new BatchBuffer(500)
 * for (const record of records) batches.add({ record, item: JSON.stringify(record.value) })
 * batches.sealAll()
 * for (let batch = batches.oldest(); batch !== undefined; batch = batches.oldest()) { await send(batch); batches.delivered(batch) }
 */
export class BatchBuffer {
  private readonly open = new Map<string, Entry[]>()
  private readonly sealed: Batch[] = []

  constructor(private readonly batchSize: number) {}

  /** Records buffered, sealed or not, not yet delivered. */
  get size(): number {
    let size = 0
    for (const entries of this.open.values()) size += entries.length
    for (const batch of this.sealed) size += batch.entries.length - batch.isolatedCount
    return size
  }

  add(entry: Entry): void {
    const partition = `${entry.record.topic}\u0000${entry.record.partition}`
    const open = this.open.get(partition) ?? []
    open.push(entry)
    if (open.length >= this.batchSize) {
      this.seal(open)
      this.open.delete(partition)
    } else this.open.set(partition, open)
  }

  /** Seals every open batch (a flush sends them all). */
  sealAll(): void {
    for (const entries of this.open.values()) this.seal(entries)
    this.open.clear()
  }

  /** The oldest sealed batch not yet delivered. */
  oldest(): Batch | undefined {
    return this.sealed[0]
  }

  /** Drops the oldest sealed batch once the server has it. */
  delivered(batch: Batch): void {
    if (this.sealed[0] !== batch) throw new Error('batches are delivered in order')
    this.sealed.shift()
  }

  private seal(entries: Entry[]): void {
    this.sealed.push({ entries, idempotencyKey: idempotencyKeyOf(entries.map((entry) => entry.record)), refused: false, isolatedCount: 0 })
  }
}
