/**
 * Where fault tests put their data. Process kills and damaged files do not depend on fsync
 * reaching a disk (a killed process loses nothing the kernel has), so a memory file system is
 * used when it has room: tests run faster, and a kill lands in a write, not an fsync, more often.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const MEMORY_FILE_SYSTEM = '/dev/shm'

/** A new directory under /dev/shm when it has `neededBytes` free, else under the OS temp directory. */
export function makeScratchDirectory(prefix: string, neededBytes: number): string {
  return fs.mkdtempSync(path.join(hasRoom(MEMORY_FILE_SYSTEM, neededBytes) ? MEMORY_FILE_SYSTEM : os.tmpdir(), prefix))
}

function hasRoom(dir: string, neededBytes: number): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK)
    const stats = fs.statfsSync(dir)
    return stats.bavail * stats.bsize >= neededBytes
  } catch {
    return false
  }
}
