import { IndexFile } from './index-file.js'

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

export interface OffsetEntry {
  readonly offset: number
  readonly position: number
}

export class OffsetIndex {
  private readonly index: IndexFile<OffsetEntry>

  constructor(
    readonly file: string,
    readonly baseOffset: number,
    readOnly: boolean,
  ) {
    this.index = new IndexFile(file, readOnly, {
      entryBytes: 8,
      write: (entry, buffer, at) => {
        buffer.writeUInt32BE(entry.offset - baseOffset, at)
        buffer.writeUInt32BE(entry.position, at + 4)
      },
      read: (buffer, at) => ({ offset: baseOffset + buffer.readUInt32BE(at), position: buffer.readUInt32BE(at + 4) }),
      follows: (previous, next) => next.offset > previous.offset && next.position > previous.position,
    })
  }

  get entries(): number {
    return this.index.entries.length
  }

  /** Loads the file; false when it is missing or does not fit a segment of `segmentBytes`. */
  load(segmentBytes: number): boolean {
    return this.index.load((entry) => entry.position < segmentBytes)
  }

  reset(): void {
    this.index.reset()
  }

  add(offset: number, position: number): void {
    this.index.add({ offset, position })
  }

  /** The last indexed batch whose base offset is at or below `offset`. */
  entryAtOrBefore(offset: number): OffsetEntry | undefined {
    return this.index.entries[this.index.lastWhere((entry) => entry.offset <= offset)]
  }

  lastEntry(): OffsetEntry | undefined {
    return this.index.entries[this.index.entries.length - 1]
  }

  /** Drops entries at or past a byte position (after a truncation). */
  truncateToPosition(position: number): void {
    this.index.truncate(this.index.lastWhere((entry) => entry.position < position) + 1)
  }

  flush(sync: boolean): void {
    this.index.flush(sync)
  }

  close(): void {
    this.index.close()
  }
}
