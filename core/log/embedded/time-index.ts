import fs from 'node:fs'

/**
 * The sparse time index beside a segment (`<base>.timeindex`).
 *
 * Byte grammar, one 12-byte entry each time a batch raises the segment's largest timestamp
 * (and at least INDEX_INTERVAL_BYTES after the previous entry):
 *   timestamp      int64 BE    the largest record timestamp up to and including that batch
 *   relativeOffset uint32 BE   that batch's base offset - segment base offset
 *
 * Every record before an entry's batch has a timestamp at or below the previous entry's,
 * so a search for the first record at or after T may start at the last entry below T.
 */
const ENTRY_BYTES = 12

export class TimeIndex {
  private timestamps: number[] = []
  private offsets: number[] = []
  private fd: number | undefined
  private pending: Buffer[] = []

  constructor(
    readonly file: string,
    readonly baseOffset: number,
  ) {}

  /** The largest timestamp indexed, or -1. */
  get lastTimestamp(): number {
    return this.timestamps.length === 0 ? -1 : this.timestamps[this.timestamps.length - 1]!
  }

  load(): boolean {
    let data: Buffer
    try {
      data = fs.readFileSync(this.file)
    } catch {
      return false
    }
    if (data.length % ENTRY_BYTES !== 0) return false
    const timestamps: number[] = []
    const offsets: number[] = []
    for (let at = 0; at < data.length; at += ENTRY_BYTES) {
      const timestamp = data.readUInt32BE(at) * 2 ** 32 + data.readUInt32BE(at + 4)
      const offset = this.baseOffset + data.readUInt32BE(at + 8)
      const previous = timestamps.length - 1
      if (previous >= 0 && (timestamp <= timestamps[previous]! || offset <= offsets[previous]!)) return false
      timestamps.push(timestamp)
      offsets.push(offset)
    }
    this.timestamps = timestamps
    this.offsets = offsets
    return true
  }

  reset(): void {
    this.timestamps = []
    this.offsets = []
    this.pending = []
    this.closeFile()
    fs.rmSync(this.file, { force: true })
  }

  add(timestamp: number, offset: number): void {
    if (timestamp <= this.lastTimestamp) return
    this.timestamps.push(timestamp)
    this.offsets.push(offset)
    const entry = Buffer.allocUnsafe(ENTRY_BYTES)
    entry.writeUInt32BE(Math.floor(timestamp / 2 ** 32) >>> 0, 0)
    entry.writeUInt32BE(timestamp >>> 0, 4)
    entry.writeUInt32BE(offset - this.baseOffset, 8)
    this.pending.push(entry)
  }

  /** The base offset of a batch at or before the first record with timestamp >= `timestamp`. */
  lookup(timestamp: number): number {
    let found = -1
    let low = 0
    let high = this.timestamps.length - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (this.timestamps[mid]! < timestamp) {
        found = mid
        low = mid + 1
      } else high = mid - 1
    }
    return found < 0 ? this.baseOffset : this.offsets[found]!
  }

  /** Drops entries for offsets at or past `offset` (after a truncation). */
  truncateToOffset(offset: number): void {
    let keep = this.offsets.length
    while (keep > 0 && this.offsets[keep - 1]! >= offset) keep--
    if (keep === this.offsets.length) return
    this.timestamps.length = keep
    this.offsets.length = keep
    this.closeFile()
    const data = Buffer.allocUnsafe(keep * ENTRY_BYTES)
    for (let i = 0; i < keep; i++) {
      data.writeUInt32BE(Math.floor(this.timestamps[i]! / 2 ** 32) >>> 0, i * ENTRY_BYTES)
      data.writeUInt32BE(this.timestamps[i]! >>> 0, i * ENTRY_BYTES + 4)
      data.writeUInt32BE(this.offsets[i]! - this.baseOffset, i * ENTRY_BYTES + 8)
    }
    fs.writeFileSync(this.file, data)
    this.pending = []
  }

  flush(sync: boolean): void {
    if (this.pending.length === 0 && !sync) return
    this.fd ??= fs.openSync(this.file, 'a')
    if (this.pending.length > 0) {
      fs.writeSync(this.fd, Buffer.concat(this.pending))
      this.pending = []
    }
    if (sync) fs.fsyncSync(this.fd)
  }

  close(): void {
    this.flush(false)
    this.closeFile()
  }

  private closeFile(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd)
    this.fd = undefined
  }
}
