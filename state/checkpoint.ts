import fs from 'node:fs'
import path from 'node:path'
import { crashPoint } from '../core/crash-point.js'

const FILE = '.checkpoint'

/** What a shard's checkpoint file says: the store holds every changelog record before `offset`. */
export interface Checkpoint {
  readonly offset: number
}

/**
 * Reads a shard directory's checkpoint; undefined when there is none or it is unreadable
 * (restore then starts from the beginning of the changelog, which is always correct).
 *
 * @example
 * const from = readCheckpoint(dir)?.offset ?? 0
 */
export function readCheckpoint(dir: string): Checkpoint | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, FILE), 'utf8')) as { offset?: unknown }
    return typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0 ? { offset: parsed.offset } : undefined
  } catch {
    return undefined
  }
}

/** Writes a checkpoint atomically (temporary file, fsync, rename). */
export function writeCheckpoint(dir: string, checkpoint: Checkpoint): void {
  writeAtomically(path.join(dir, FILE), JSON.stringify(checkpoint))
}

/**
 * Reads the checkpoint of a store that copies every partition of a topic (a global store): the
 * next offset of each partition; undefined when there is none or it is unreadable.
 *
 * @example
 * const from = readOffsetsCheckpoint(dir) ?? []
 */
export function readOffsetsCheckpoint(dir: string): number[] | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, FILE), 'utf8')) as { offsets?: unknown }
    const offsets = parsed.offsets
    return Array.isArray(offsets) && offsets.every((offset) => Number.isInteger(offset) && (offset as number) >= 0) ? (offsets as number[]) : undefined
  } catch {
    return undefined
  }
}

/** Writes a global store's checkpoint (the next offset of each partition) atomically. */
export function writeOffsetsCheckpoint(dir: string, offsets: readonly number[]): void {
  writeAtomically(path.join(dir, FILE), JSON.stringify({ offsets }))
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.tmp`
  const fd = fs.openSync(temporary, 'w')
  try {
    fs.writeSync(fd, content)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  crashPoint('state.checkpoint.before-rename')
  fs.renameSync(temporary, file)
}

/** Removes a checkpoint: from now on the store may run ahead of what was committed. */
export function deleteCheckpoint(dir: string): void {
  fs.rmSync(path.join(dir, FILE), { force: true })
}
