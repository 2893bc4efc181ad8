import { IndexFile } from './index-file.js'

/**
 * The sparse time index beside a segment (`<base>.timeindex`).
 *
 * Byte grammar, one 12-byte entry each time a batch raises the segment's largest timestamp:
 *   timestamp      int64 BE    the largest record timestamp up to and including that batch
 *   relativeOffset uint32 BE   that batch's base offset - segment base offset
 *
 * Every record before an entry's batch has a timestamp at or below the previous entry's,
 * so a search for the first record at or after T may start at the last entry below T.
 */
interface TimeEntry {
  readonly timestamp: number
  readonly offset: number
}

export class TimeIndex {
  private readonly index: IndexFile<TimeEntry>

  constructor(
    readonly file: string,
    readonly baseOffset: number,
    readOnly: boolean,
  ) {
    this.index = new IndexFile(file, readOnly, {
      entryBytes: 12,
      write: (entry, buffer, at) => {
        buffer.writeUInt32BE(Math.floor(entry.timestamp / 2 ** 32) >>> 0, at)
        buffer.writeUInt32BE(entry.timestamp >>> 0, at + 4)
        buffer.writeUInt32BE(entry.offset - baseOffset, at + 8)
      },
      read: (buffer, at) => ({
        timestamp: buffer.readUInt32BE(at) * 2 ** 32 + buffer.readUInt32BE(at + 4),
        offset: baseOffset + buffer.readUInt32BE(at + 8),
      }),
      follows: (previous, next) => next.timestamp > previous.timestamp && next.offset > previous.offset,
    })
  }

  /** The largest timestamp indexed, or -1. */
  get lastTimestamp(): number {
    return this.index.entries[this.index.entries.length - 1]?.timestamp ?? -1
  }

  load(): boolean {
    return this.index.load(() => true)
  }

  reset(): void {
    this.index.reset()
  }

  add(timestamp: number, offset: number): void {
    if (timestamp > this.lastTimestamp) this.index.add({ timestamp, offset })
  }

  /** The base offset of a batch at or before the first record with timestamp >= `timestamp`. */
  lookup(timestamp: number): number {
    return this.index.entries[this.index.lastWhere((entry) => entry.timestamp < timestamp)]?.offset ?? this.baseOffset
  }

  /** Drops entries for offsets at or past `offset` (after a truncation). */
  truncateToOffset(offset: number): void {
    this.index.truncate(this.index.lastWhere((entry) => entry.offset < offset) + 1)
  }

  flush(sync: boolean): void {
    this.index.flush(sync)
  }

  close(): void {
    this.index.close()
  }
}
