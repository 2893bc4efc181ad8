/**
 * A file-system layer for simulated power loss: it passes every call through while noting, per
 * file, what was written since that file's last fsync; at `cut()` the machine "loses power": every
 * later call fails with EIO (the process is as good as dead), and each file keeps its synced bytes
 * plus a random part of what was not synced, the rest of that part torn off or, sometimes, left
 * as zeros (a page the disk never wrote). Files created since the layer went in are kept (their
 * directory entries are treated as synced: the log fsyncs its directory after creating a segment
 * under durability `fsync`).
 *
 * Linux only: a file's path comes from /proc/self/fd, for files opened before the layer went in.
 *
 * @example
 * const layer = new PowerCutLayer(random, 40) // the power goes at the 40th call
 * const restore = useFileIo(layer)
 * … sends …
 * layer.cut(); restore(); await log.close().catch(() => {})
 * layer.applyLoss() // the files as the power cut left them
 */
import fs from 'node:fs'
import { nodeFileIo, type FileIo } from '../../core/log/embedded/file-io.js'
import type { SeededRandom } from '../crash/seeded-random.js'

interface FileState {
  /** Bytes known to be on disk: the size at the last fsync (or when first seen). */
  synced: number
  /** Its size now, as far as the writes seen say. */
  size: number
}

export class PowerCutLayer implements FileIo {
  private readonly files = new Map<string, FileState>()
  private dead = false
  private calls = 0
  /** Bytes of unsynced writes the cut threw away, and files it tore (for the report). */
  lostBytes = 0
  tornFiles = 0

  /** `cutAtCall`: the power goes just before that call (counting from when the layer went in), so it fails mid-operation. */
  constructor(
    private readonly random: SeededRandom,
    private readonly cutAtCall = Infinity,
    private readonly io: FileIo = nodeFileIo,
  ) {}

  /** Whether the power is off. */
  get isCut(): boolean {
    return this.dead
  }

  open(file: string, flags: string): number {
    this.check('open')
    const fd = this.io.open(file, flags)
    if (flags.startsWith('w')) this.files.set(file, { synced: 0, size: 0 })
    return fd
  }

  write(fd: number, buffer: Buffer, offset: number, length: number, position: number | null): number {
    this.check('write')
    const state = this.stateOf(fd)
    const written = this.io.write(fd, buffer, offset, length, position)
    const end = (position ?? state.size) + written
    state.size = Math.max(state.size, end)
    return written
  }

  fdatasync(fd: number): void {
    this.check('fdatasync')
    this.io.fdatasync(fd)
    this.markSynced(fd)
  }

  fsync(fd: number): void {
    this.check('fsync')
    this.io.fsync(fd)
    this.markSynced(fd)
  }

  rename(from: string, to: string): void {
    this.check('rename')
    this.io.rename(from, to)
    const state = this.files.get(from)
    this.files.delete(from)
    if (state !== undefined) this.files.set(to, state)
  }

  truncate(fd: number, length: number): void {
    this.check('truncate')
    this.io.truncate(fd, length)
    const state = this.stateOf(fd)
    state.size = length
    state.synced = Math.min(state.synced, length)
  }

  /** The power goes: from now on every call fails. */
  cut(): void {
    this.dead = true
  }

  /**
   * What the power cut leaves of each file: its synced bytes, then a random part of the rest
   * (torn at a random byte), sometimes with a 4 KiB page of that part zeroed.
   */
  applyLoss(): void {
    for (const [file, state] of this.files) {
      if (!fs.existsSync(file) || state.size <= state.synced) continue
      const unsynced = state.size - state.synced
      const kept = this.random.int(0, unsynced)
      const size = Math.min(fs.statSync(file).size, state.synced + kept)
      fs.truncateSync(file, size)
      this.lostBytes += unsynced - kept
      this.tornFiles++
      if (kept > 0 && this.random.chance(0.3)) {
        const from = state.synced + this.random.int(0, kept - 1)
        const zeros = Buffer.alloc(Math.min(4096, size - from))
        const fd = fs.openSync(file, 'r+')
        try {
          fs.writeSync(fd, zeros, 0, zeros.length, from)
        } finally {
          fs.closeSync(fd)
        }
      }
    }
  }

  private check(call: string): void {
    this.calls++
    if (this.calls >= this.cutAtCall) this.dead = true
    if (this.dead) throw Object.assign(new Error(`EIO: the power is off, ${call}`), { code: 'EIO', syscall: call })
  }

  private markSynced(fd: number): void {
    const state = this.stateOf(fd)
    state.synced = state.size
  }

  private stateOf(fd: number): FileState {
    const file = fs.readlinkSync(`/proc/self/fd/${fd}`)
    let state = this.files.get(file)
    if (state === undefined) {
      // First seen now: what it holds was written (and, under fsync durability, synced) before.
      const size = fs.fstatSync(fd).size
      state = { synced: size, size }
      this.files.set(file, state)
    }
    return state
  }
}
