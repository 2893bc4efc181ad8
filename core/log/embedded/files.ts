import fs from 'node:fs'
import path from 'node:path'
import { crashPoint } from '../../crash-point.js'
import { fileIo } from './file-io.js'

/** `00000000000000012345` — segment and index files are named by their 20-digit base offset. */
export function offsetFileName(baseOffset: number, extension: string): string {
  return `${String(baseOffset).padStart(20, '0')}${extension}`
}

/** The base offset in a segment file name, or undefined for a name that is not one. */
export function parseOffsetFileName(name: string, extension: string): number | undefined {
  if (!name.endsWith(extension)) return undefined
  const digits = name.slice(0, -extension.length)
  if (!/^\d{20}$/.test(digits)) return undefined
  const value = Number(digits)
  return Number.isSafeInteger(value) ? value : undefined
}

/** Makes a directory entry (a new or renamed file) durable. */
export function fsyncDirectory(dir: string): void {
  const fd = fileIo().open(dir, 'r')
  try {
    fileIo().fsync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Replaces a file atomically: write a temporary file, rename it over the old one. With
 * `durable` (the default) the file and the directory are fsynced too, so the new contents
 * survive a power cut.
 */
export function writeFileAtomic(file: string, contents: string | Buffer, options: { durable?: boolean } = {}): void {
  const durable = options.durable ?? true
  const temporary = `${file}.tmp`
  const fd = fileIo().open(temporary, 'w')
  try {
    writeFully(fd, typeof contents === 'string' ? Buffer.from(contents) : contents, 0)
    if (durable) fileIo().fsync(fd)
  } finally {
    fs.closeSync(fd)
  }
  crashPoint('file.replace.before-rename')
  fileIo().rename(temporary, file)
  if (durable) fsyncDirectory(path.dirname(file))
}

/** Writes the whole buffer at a position (writeSync may write less than asked). */
export function writeFully(fd: number, buffer: Buffer, position: number): void {
  let written = 0
  while (written < buffer.length) {
    written += fileIo().write(fd, buffer, written, buffer.length - written, position + written)
  }
}

/** Reads up to `length` bytes at a position; returns the bytes actually there. */
export function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length)
  let total = 0
  while (total < length) {
    const n = fs.readSync(fd, buffer, total, length - total, position + total)
    if (n === 0) break
    total += n
  }
  return total === length ? buffer : buffer.subarray(0, total)
}
