/**
 * A file-system layer that fails one call: the N-th call (counting every call through the
 * embedded log's FileIo seam from when it is put in place) fails as a full disk, a failing device
 * or a short write would, and every other call goes through. Which fault comes from N: ENOSPC, EIO
 * and a short write in turn (a write that takes half of what it was given, then ENOSPC at the next
 * call, as a disk that fills up mid-write does; any other call fails with ENOSPC then).
 *
 * @example
 * const layer = new FailNthCall(17)
 * const restore = useFileIo(layer)
 * try { await producer.send(records) } finally { restore() }
 * layer.injected // 'EIO on fdatasync' once the 17th call came
 */
import { nodeFileIo, type FileIo } from '../../core/log/embedded/file-io.js'

export type FaultKind = 'ENOSPC' | 'EIO' | 'short write'

const KINDS: readonly FaultKind[] = ['ENOSPC', 'EIO', 'short write']

/** The fault the N-th run injects: ENOSPC, EIO and a short write in turn. */
export function faultFor(n: number): FaultKind {
  return KINDS[n % KINDS.length]!
}

export class FailNthCall implements FileIo {
  /** Calls seen so far. */
  calls = 0
  /** What was injected, once it was. */
  injected: string | undefined
  private shortWriteDone = false

  constructor(
    private readonly n: number,
    private readonly kind: FaultKind = faultFor(n),
    private readonly io: FileIo = nodeFileIo,
  ) {}

  open(file: string, flags: string): number {
    this.fault('open')
    return this.io.open(file, flags)
  }

  write(fd: number, buffer: Buffer, offset: number, length: number, position: number | null): number {
    if (this.next() && this.kind === 'short write' && length > 1) {
      // Half of it lands; the disk is full for the rest.
      this.shortWriteDone = true
      this.injected = 'a short write'
      return this.io.write(fd, buffer, offset, Math.floor(length / 2), position)
    }
    this.fault('write', true)
    return this.io.write(fd, buffer, offset, length, position)
  }

  fdatasync(fd: number): void {
    this.fault('fdatasync')
    this.io.fdatasync(fd)
  }

  fsync(fd: number): void {
    this.fault('fsync')
    this.io.fsync(fd)
  }

  rename(from: string, to: string): void {
    this.fault('rename')
    this.io.rename(from, to)
  }

  truncate(fd: number, length: number): void {
    this.fault('truncate')
    this.io.truncate(fd, length)
  }

  /** Counts a call; true when it is the N-th. */
  private reached = false
  private next(): boolean {
    this.calls++
    this.reached = this.calls === this.n
    return this.reached
  }

  /** Counts the call (unless `counted`) and throws the fault when it is the N-th, or right after a short write. */
  private fault(call: string, counted = false): void {
    if (!counted) this.next()
    if (this.shortWriteDone) {
      this.shortWriteDone = false
      throw errno('ENOSPC', call)
    }
    if (!this.reached) return
    this.reached = false
    const code = this.kind === 'EIO' ? 'EIO' : 'ENOSPC'
    this.injected = `${code} on ${call}`
    throw errno(code, call)
  }
}

function errno(code: 'ENOSPC' | 'EIO', call: string): NodeJS.ErrnoException {
  const message = code === 'ENOSPC' ? 'no space left on device' : 'i/o error'
  return Object.assign(new Error(`${code}: ${message}, ${call}`), { code, errno: code === 'ENOSPC' ? -28 : -5, syscall: call })
}
