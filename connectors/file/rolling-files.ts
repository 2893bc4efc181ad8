import { open, readdir, readFile, rename, rm, truncate, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { ConnectorLogger } from '../api/types.js'

/** Digits of a file's sequence number: names sort in order up to a million files. */
const SEQUENCE_DIGITS = 6
/** The suffix of the file being written; it is renamed without it once complete. */
export const IN_PROGRESS_SUFFIX = '.inprogress'

/**
 * A directory of numbered files written one at a time: `orders-000001.jsonl`,
 * `orders-000002.jsonl`, … The file being written carries `.inprogress`; `roll` syncs it and
 * renames it to its final name, so a file without the suffix is complete. The file is created on
 * the first write after a roll, so no empty files are left.
 *
 * @example
 * const files = await RollingFiles.open('/data/out', 'orders', 'jsonl', logger)
 * await files.write(Buffer.from('{"n":1}\n'))
 * await files.sync()
 * await files.roll()
 */
export class RollingFiles {
  private handle: FileHandle | undefined
  private name = ''
  /** Bytes in the current file. */
  bytes = 0
  /** When the current file was created (clock ms), or undefined when none is open. */
  openedAtMs: number | undefined

  private constructor(
    private readonly directory: string,
    private readonly prefix: string,
    private readonly extension: string,
    private sequence: number,
  ) {}

  /**
   * Opens `directory` for files `prefix-NNNNNN.extension`, numbering on from the highest there.
   * A file left in progress by a crash is cut after its last complete line (`lastRecordEnd`) and
   * completed, so that it holds only whole records.
   */
  static async open(directory: string, prefix: string, extension: string, logger: ConnectorLogger, lastRecordEnd: (bytes: Buffer) => number): Promise<RollingFiles> {
    const pattern = new RegExp(`^${escapeRegExp(prefix)}-(\\d+)\\.${escapeRegExp(extension)}(${escapeRegExp(IN_PROGRESS_SUFFIX)})?$`)
    let highest = 0
    for (const entry of (await readdir(directory)).sort()) {
      const match = pattern.exec(entry)
      if (match === null) continue
      highest = Math.max(highest, Number(match[1]))
      if (match[2] !== undefined) await completeLeftover(join(directory, entry), lastRecordEnd, logger)
    }
    if (highest > 0) await syncDirectory(directory)
    return new RollingFiles(directory, prefix, extension, highest)
  }

  /** Appends bytes to the current file, creating it first when none is open. */
  async write(bytes: Buffer, now: number, header?: Buffer): Promise<void> {
    if (this.handle === undefined) await this.create(now, header)
    await this.handle!.write(bytes)
    this.bytes += bytes.length
  }

  /** Makes what was written durable. */
  async sync(): Promise<void> {
    await this.handle?.datasync()
  }

  /** Syncs and closes the current file and renames it to its final name; a no-op when none is open. */
  async roll(): Promise<void> {
    const handle = this.handle
    if (handle === undefined) return
    await handle.datasync()
    await handle.close()
    this.handle = undefined
    this.openedAtMs = undefined
    this.bytes = 0
    await rename(join(this.directory, this.name + IN_PROGRESS_SUFFIX), join(this.directory, this.name))
    await syncDirectory(this.directory)
  }

  private async create(now: number, header: Buffer | undefined): Promise<void> {
    this.sequence++
    this.name = `${this.prefix}-${String(this.sequence).padStart(SEQUENCE_DIGITS, '0')}.${this.extension}`
    this.handle = await open(join(this.directory, this.name + IN_PROGRESS_SUFFIX), 'wx')
    await syncDirectory(this.directory)
    this.openedAtMs = now
    this.bytes = 0
    if (header !== undefined) {
      await this.handle.write(header)
      this.bytes += header.length
    }
  }
}

async function completeLeftover(path: string, lastRecordEnd: (bytes: Buffer) => number, logger: ConnectorLogger): Promise<void> {
  const bytes = await readFile(path)
  const end = lastRecordEnd(bytes)
  if (end === 0) {
    await rm(path)
    logger.warn(`removed ${path}, left in progress by an earlier run with no complete record`)
    return
  }
  if (end < bytes.length) await truncate(path, end)
  const handle = await open(path, 'r+')
  await handle.datasync()
  await handle.close()
  const completed = path.slice(0, -IN_PROGRESS_SUFFIX.length)
  await rename(path, completed)
  logger.warn(`completed ${completed}, left in progress by an earlier run (${bytes.length - end} bytes of an incomplete record cut); records after its last flush may be written again`)
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
