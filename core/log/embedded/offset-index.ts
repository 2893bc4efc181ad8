import fs from 'node:fs'

/**
 * The sparse offset index beside a segment (`<base>.index`).
 *
 * Byte grammar, one 8-byte entry per indexed batch, in ascending order:
 *   relativeOffset uint32 BE   batch base offset - segment base offset
 *   position       uint32 BE   byte position of that batch in the segment file
 *
 * An entry is added when at least INDEX_INTERVAL_BYTES were appended since the last
 * one, so a lookup reads at most that many bytes past the entry it finds.
 */
export const INDEX_INTERVAL_BYTES = 4096
const ENTRY_BYTES = 8

export class OffsetIndex {
  private offsets: number[] = []
  private positions: number[] = []
  private fd: number | undefined
  private pending: Buffer[] = []

  constructor(
    readonly file: string,
    readonly baseOffset: number,
  ) {}

  get entries(): number {
    return this.offsets.length
  }

  /** Loads the file; returns false when it is missing or does not fit `segmentBytes`. */
  load(segmentBytes: number): boolean {
    let data: Buffer
    try {
      data = fs.readFileSync(this.file)
    } catch {
      return false
    }
    if (data.length % ENTRY_BYTES !== 0) return false
    const offsets: number[] = []
    const positions: number[] = []
    for (let at = 0; at < data.length; at += ENTRY_BYTES) {
      const offset = this.baseOffset + data.readUInt32BE(at)
      const position = data.readUInt32BE(at + 4)
      const previous = offsets.length - 1
      if (position >= segmentBytes) return false
      if (previous >= 0 && (offset <= offsets[previous]! || position <= positions[previous]!)) return false
      offsets.push(offset)
      positions.push(position)
    }
    this.offsets = offsets
    this.positions = positions
    return true
  }

  /** Forgets every entry (before a rebuild). */
  reset(): void {
    this.offsets = []
    this.positions = []
    this.pending = []
    this.closeFile()
    fs.rmSync(this.file, { force: true })
  }

  add(offset: number, position: number): void {
    this.offsets.push(offset)
    this.positions.push(position)
    const entry = Buffer.allocUnsafe(ENTRY_BYTES)
    entry.writeUInt32BE(offset - this.baseOffset, 0)
    entry.writeUInt32BE(position, 4)
    this.pending.push(entry)
  }

  /** The last indexed batch whose base offset is at or below `offset`. */
  entryAtOrBefore(offset: number): { offset: number; position: number } | undefined {
    const index = this.indexAtOrBefore(offset)
    return index < 0 ? undefined : { offset: this.offsets[index]!, position: this.positions[index]! }
  }

  /** The last entry, if any. */
  lastEntry(): { offset: number; position: number } | undefined {
    const index = this.offsets.length - 1
    return index < 0 ? undefined : { offset: this.offsets[index]!, position: this.positions[index]! }
  }

  private indexAtOrBefore(offset: number): number {
    const offsets = this.offsets
    let low = 0
    let high = offsets.length - 1
    let found = -1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (offsets[mid]! <= offset) {
        found = mid
        low = mid + 1
      } else high = mid - 1
    }
    return found
  }

  /** Drops entries at or past a byte position (after a truncation). */
  truncateToPosition(position: number): void {
    let keep = this.positions.length
    while (keep > 0 && this.positions[keep - 1]! >= position) keep--
    if (keep === this.positions.length) return
    this.offsets.length = keep
    this.positions.length = keep
    this.rewrite()
  }

  /** Writes entries added since the last flush; `sync` also fsyncs them. */
  flush(sync: boolean): void {
    if (this.pending.length === 0 && !sync) return
    const fd = this.open()
    if (this.pending.length > 0) {
      fs.writeSync(fd, Buffer.concat(this.pending))
      this.pending = []
    }
    if (sync) fs.fsyncSync(fd)
  }

  close(): void {
    this.flush(false)
    this.closeFile()
  }

  private rewrite(): void {
    this.closeFile()
    const data = Buffer.allocUnsafe(this.offsets.length * ENTRY_BYTES)
    for (let i = 0; i < this.offsets.length; i++) {
      data.writeUInt32BE(this.offsets[i]! - this.baseOffset, i * ENTRY_BYTES)
      data.writeUInt32BE(this.positions[i]!, i * ENTRY_BYTES + 4)
    }
    fs.writeFileSync(this.file, data)
    this.pending = []
  }

  private open(): number {
    this.fd ??= fs.openSync(this.file, 'a')
    return this.fd
  }

  private closeFile(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd)
    this.fd = undefined
  }
}
