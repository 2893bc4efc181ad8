import fs from 'node:fs'

/**
 * The calls through which the embedded log changes its files, any of which a full disk or a
 * failing device can fail. They go through this one seam so that the fault-injection suite can
 * put a layer in front of them (`useFileIo`) that fails the N-th call; in production the seam is
 * Node's own calls, one indirection away.
 */
export interface FileIo {
  open(file: string, flags: string): number
  /** Like `fs.writeSync`: may write fewer bytes than asked, and says how many. */
  write(fd: number, buffer: Buffer, offset: number, length: number, position: number | null): number
  fdatasync(fd: number): void
  fsync(fd: number): void
  rename(from: string, to: string): void
  truncate(fd: number, length: number): void
}

/** Node's own file-system calls. */
export const nodeFileIo: FileIo = {
  open: (file, flags) => fs.openSync(file, flags),
  write: (fd, buffer, offset, length, position) => fs.writeSync(fd, buffer, offset, length, position),
  fdatasync: (fd) => fs.fdatasyncSync(fd),
  fsync: (fd) => fs.fsyncSync(fd),
  rename: (from, to) => fs.renameSync(from, to),
  truncate: (fd, length) => fs.ftruncateSync(fd, length),
}

let active: FileIo = nodeFileIo

/**
 * The file-system calls in use.
 *
 * @example
 * fileIo().fdatasync(fd)
 */
export function fileIo(): FileIo {
  return active
}

/**
 * Puts `layer` in front of the file-system calls of every embedded log in this process, until the
 * returned function is called: for fault-injection tests only.
 *
 * @example
 * const restore = useFileIo(failingNth(17, nodeFileIo))
 * try { await producer.send(records) } finally { restore() }
 */
export function useFileIo(layer: FileIo): () => void {
  const previous = active
  active = layer
  return () => {
    active = previous
  }
}
