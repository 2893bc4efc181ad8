import { open, stat, type FileHandle } from 'node:fs/promises'
import type { ConnectorLogger } from '../api/types.js'

/** Where a reader of one path stands: the byte after the last line it consumed, in which file (inode), at which line. */
export interface TailPosition {
  readonly position: number
  readonly inode: string
  /** Lines consumed before `position`, for error locations. */
  readonly line: number
}

/** Bytes read per `read` call while there is much to read; a line longer than this makes the buffer grow. */
const READ_BYTES = 1 << 20
/**
 * Bytes read per call after a read found the end of the file: following a file that grows a
 * line at a time, a fresh 1 MiB buffer per line would make most of the work garbage collection.
 * Each full read multiplies the size by 4 again, up to `READ_BYTES`.
 */
const TAIL_READ_BYTES = 16 * 1024
const EMPTY = Buffer.alloc(0)

/** What `follow` found at the path once the open file was read to its end. */
export type FollowResult = 'unchanged' | 'more' | 'rotated' | 'truncated'

/**
 * One path read as it grows (`tail -F`): bytes are read in large chunks into `chunk`, the caller
 * consumes whole records from `chunk[start…]` and reports how far with `consume`. At the end of
 * the file `follow` looks at the path again: a new inode there means the file was rotated (the
 * old one is drained through its open handle first, then reading starts at byte 0 of the new
 * one); a file shorter than what was read means it was truncated (reading restarts at 0).
 *
 * @example
 * const file = await TailedFile.open('/var/log/app.jsonl', undefined, 'beginning', logger)
 * while (await file.readMore()) { const end = file.chunk.indexOf(10, file.start); … file.consume(end + 1, 1) }
 */
export class TailedFile {
  /** Read bytes not yet consumed start at `start`; `chunk[0]` is file byte `chunkPosition`. */
  chunk: Buffer = EMPTY
  start = 0
  private chunkPosition = 0
  private handle: FileHandle | undefined
  private inode = ''
  private line = 0
  private readBytes = READ_BYTES
  /** 3 when the file starts with a UTF-8 byte order mark, which is skipped. */
  private firstRecordAt = 0

  private constructor(
    readonly path: string,
    private readonly logger: ConnectorLogger,
  ) {}

  /**
   * Opens `path` at `stored` (a restart) or, without one, at its beginning or at the end of its
   * last complete line. A missing file is opened once it appears (by `follow`).
   */
  static async open(path: string, stored: TailPosition | undefined, startAt: 'beginning' | 'end', logger: ConnectorLogger): Promise<TailedFile> {
    const file = new TailedFile(path, logger)
    if (!(await file.openPath())) return file
    if (stored !== undefined) {
      const size = (await file.handle!.stat()).size
      if (stored.inode !== file.inode) logger.warn(`${path} is another file than when last read (inode ${stored.inode}, now ${file.inode}): it was rotated while stopped; reading the new file from its beginning`)
      else if (size < stored.position) logger.warn(`${path} is shorter (${size} bytes) than where reading stopped (${stored.position}): it was truncated; reading from its beginning`)
      else file.moveTo(stored.position, stored.line)
    } else if (startAt === 'end') {
      file.moveTo(await file.endOfLastLine(), 0)
    }
    return file
  }

  /** The byte after the last consumed record, in the current file. */
  get position(): TailPosition {
    return { position: this.chunkPosition + this.start, inode: this.inode, line: this.line }
  }

  /** Lines consumed so far (the number of the next line is this + 1). */
  get linesConsumed(): number {
    return this.line
  }

  /** True when the next record is the file's first (after a UTF-8 byte order mark): a CSV header. */
  get atFirstRecord(): boolean {
    return this.chunkPosition + this.start === this.firstRecordAt
  }

  /** The file position of `chunk[index]`. */
  positionOf(index: number): number {
    return this.chunkPosition + index
  }

  /** Marks `chunk[start, next)` consumed: `lineBreaks` lines. */
  consume(next: number, lineBreaks: number): void {
    this.start = next
    this.line += lineBreaks
  }

  /** Reads more of the file after what is in `chunk`; false at the end of the file (or before it exists). */
  async readMore(): Promise<boolean> {
    if (this.handle === undefined) return false
    const unconsumed = this.chunk.length - this.start
    const buffer = Buffer.allocUnsafe(unconsumed + Math.max(this.readBytes, unconsumed))
    this.chunk.copy(buffer, 0, this.start)
    const readAt = this.chunkPosition + this.chunk.length
    const { bytesRead } = await this.handle.read(buffer, unconsumed, buffer.length - unconsumed, readAt)
    this.readBytes = bytesRead < buffer.length - unconsumed ? TAIL_READ_BYTES : Math.min(READ_BYTES, this.readBytes * 4)
    this.chunkPosition += this.start
    this.chunk = buffer.subarray(0, unconsumed + bytesRead)
    this.start = 0
    if (this.chunkPosition === 0 && this.chunk.length >= 3 && this.chunk[0] === 0xef && this.chunk[1] === 0xbb && this.chunk[2] === 0xbf) {
      this.firstRecordAt = 3
      this.start = 3
    }
    return bytesRead > 0
  }

  /** After `readMore` found the end: looks at the path for a rotation or truncation, and follows it. */
  async follow(): Promise<FollowResult> {
    if (this.handle === undefined) return (await this.openPath()) ? 'rotated' : 'unchanged'
    let current: { ino: bigint; size: bigint }
    try {
      current = await stat(this.path, { bigint: true })
    } catch (error) {
      if (isMissing(error)) return 'unchanged' // renamed away, the new file not created yet
      throw error
    }
    if (String(current.ino) !== this.inode) {
      if (await this.readMore()) return 'more' // written between our read and the rename: drain it first
      const partial = this.chunk.length - this.start
      if (partial > 0) this.logger.warn(`${this.path} was rotated with an incomplete last line (${partial} bytes without a line break); it is dropped`)
      await this.close()
      this.moveTo(0, 0)
      return (await this.openPath()) ? 'rotated' : 'unchanged'
    }
    if (Number(current.size) < this.chunkPosition + this.chunk.length) {
      this.logger.warn(`${this.path} was truncated to ${current.size} bytes (read up to ${this.chunkPosition + this.chunk.length}); reading from its beginning`)
      this.moveTo(0, 0)
      return 'truncated'
    }
    return 'unchanged'
  }

  async close(): Promise<void> {
    const handle = this.handle
    this.handle = undefined
    await handle?.close()
  }

  /** The first bytes of the current file, for a CSV header when reading resumes past it. */
  async head(bytes: number): Promise<Buffer> {
    if (this.handle === undefined) return EMPTY
    const buffer = Buffer.alloc(bytes)
    const { bytesRead } = await this.handle.read(buffer, 0, bytes, 0)
    return buffer.subarray(0, bytesRead)
  }

  private moveTo(position: number, line: number): void {
    if (position === 0) this.firstRecordAt = 0
    this.chunk = EMPTY
    this.start = 0
    this.chunkPosition = position
    this.line = line
  }

  private async openPath(): Promise<boolean> {
    try {
      this.handle = await open(this.path, 'r')
    } catch (error) {
      if (isMissing(error)) return false
      throw error
    }
    this.inode = String((await this.handle.stat({ bigint: true })).ino)
    return true
  }

  /** The byte after the last line break in the file's last MiB (its size when there is none). */
  private async endOfLastLine(): Promise<number> {
    const size = (await this.handle!.stat()).size
    const from = Math.max(0, size - READ_BYTES)
    const buffer = Buffer.alloc(size - from)
    const { bytesRead } = await this.handle!.read(buffer, 0, buffer.length, from)
    const lastBreak = buffer.subarray(0, bytesRead).lastIndexOf(0x0a)
    return lastBreak < 0 ? (from === 0 ? 0 : size) : from + lastBreak + 1
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT'
}
