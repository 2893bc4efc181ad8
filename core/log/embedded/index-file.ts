import fs from 'node:fs'
import { fileIo } from './file-io.js'

/** How the entries of one kind of index file are laid out. */
export interface IndexEntryLayout<E> {
  readonly entryBytes: number
  write(entry: E, buffer: Buffer, at: number): void
  read(buffer: Buffer, at: number): E
  /** True when `next` may follow `previous` (entries strictly ascend). */
  follows(previous: E, next: E): boolean
}

/**
 * The entries of an index file, kept in memory and appended to the file lazily. Index files
 * are never trusted blindly: `load` refuses a file whose size or order is wrong, and the
 * segment checks the entries against its data.
 */
export class IndexFile<E> {
  entries: E[] = []
  private fd: number | undefined
  private pending: E[] = []

  /** `readOnly`: a view beside another process's writer keeps its entries in memory and never touches the file. */
  constructor(
    readonly file: string,
    private readonly readOnly: boolean,
    private readonly layout: IndexEntryLayout<E>,
  ) {}

  /** Loads the file; false when it is missing, of a wrong size, out of order or refused by `accept`. */
  load(accept: (entry: E) => boolean): boolean {
    let data: Buffer
    try {
      data = fs.readFileSync(this.file)
    } catch {
      return false
    }
    const { entryBytes } = this.layout
    if (data.length % entryBytes !== 0) return false
    const entries: E[] = []
    for (let at = 0; at < data.length; at += entryBytes) {
      const entry = this.layout.read(data, at)
      const previous = entries[entries.length - 1]
      if (!accept(entry) || (previous !== undefined && !this.layout.follows(previous, entry))) return false
      entries.push(entry)
    }
    this.entries = entries
    this.pending = []
    return true
  }

  add(entry: E): void {
    this.entries.push(entry)
    this.pending.push(entry)
  }

  /** Forgets every entry and removes the file (before a rebuild). */
  reset(): void {
    this.entries = []
    this.pending = []
    this.closeFile()
    if (!this.readOnly) fs.rmSync(this.file, { force: true })
  }

  /** Keeps the first `count` entries, rewriting the file. */
  truncate(count: number): void {
    if (count >= this.entries.length) return
    this.entries.length = count
    this.closeFile()
    this.pending = []
    if (!this.readOnly) fs.writeFileSync(this.file, this.encode(this.entries))
  }

  /** Writes entries added since the last flush; `sync` also fsyncs them. */
  flush(sync: boolean): void {
    if (this.readOnly) {
      this.pending = []
      return
    }
    if (this.pending.length === 0 && !sync) return
    this.fd ??= fileIo().open(this.file, 'a')
    if (this.pending.length > 0) {
      const bytes = this.encode(this.pending)
      writeAll(this.fd, bytes)
      this.pending = []
    }
    if (sync) fileIo().fsync(this.fd)
  }

  close(): void {
    this.flush(false)
    this.closeFile()
  }

  /** The index of the last entry for which `before(entry)` holds, entries being ordered by it; -1 if none. */
  lastWhere(before: (entry: E) => boolean): number {
    let low = 0
    let high = this.entries.length - 1
    let found = -1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (before(this.entries[mid]!)) {
        found = mid
        low = mid + 1
      } else high = mid - 1
    }
    return found
  }

  private encode(entries: readonly E[]): Buffer {
    const { entryBytes } = this.layout
    const buffer = Buffer.allocUnsafe(entries.length * entryBytes)
    entries.forEach((entry, i) => this.layout.write(entry, buffer, i * entryBytes))
    return buffer
  }

  private closeFile(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd)
    this.fd = undefined
  }
}

/** Appends the whole buffer (a write may take less than asked). */
function writeAll(fd: number, bytes: Buffer): void {
  for (let written = 0; written < bytes.length; ) written += fileIo().write(fd, bytes, written, bytes.length - written, null)
}
