import fs from 'node:fs'
import path from 'node:path'

const LOCK_FILE = '.lock'

/**
 * Takes a directory for this process: one owner per directory, marked by a `.lock` file
 * holding its process id. A lock left by a process that no longer runs is taken over; a live
 * owner (or this process, a second time) gets the error `locked(dir, pid)` makes. Returns the
 * function that releases it.
 *
 * @example
 * const unlock = lockDirectory(dir, (dir, pid) => new DataDirectoryLockedError(dir, pid))
 */
export function lockDirectory(dir: string, locked: (dir: string, owner: number | undefined) => Error): () => void {
  const file = path.join(dir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx')
      fs.writeSync(fd, `${process.pid}\n`)
      fs.closeSync(fd)
      return () => releaseLock(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = readOwner(file)
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw locked(dir, owner)
      if (owner === process.pid) throw locked(dir, owner)
      fs.rmSync(file, { force: true })
    }
  }
  throw locked(dir, readOwner(file))
}

function releaseLock(file: string): void {
  if (readOwner(file) === process.pid) fs.rmSync(file, { force: true })
}

function readOwner(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
