import fs from 'node:fs'
import path from 'node:path'
import { StorageError } from '../errors.js'
import type { LogLogger } from '../engine/logger.js'
import { trackBatch, type ProducerState, type ProducerStateSnapshot } from '../engine/producer-state.js'
import type { BatchHeader } from '../engine/record-batch.js'
import { offsetFileName, parseOffsetFileName, writeFileAtomic } from './files.js'
import { LOG_START_OFFSET_FILE } from './log-start-offset.js'
import { readRecoveryPoint, RECOVERY_POINT_FILE } from './recovery-point.js'
import type { PartitionLogOptions, RecoveryEvent } from './partition-log.js'
import { SEGMENT_EXTENSION, Segment } from './segment.js'
import { crc32c } from '@node-rs/crc32'

export const SNAPSHOT_EXTENSION = '.snapshot'
const KNOWN_EXTENSIONS = [SEGMENT_EXTENSION, '.index', '.timeindex', SNAPSHOT_EXTENSION, '.cleaned', '.tmp', LOG_START_OFFSET_FILE, RECOVERY_POINT_FILE]

/**
 * Saves the transaction bookkeeping as of `endOffset`, named by the active segment's base: a line
 * with the CRC32C of the JSON that follows it, then the JSON. A snapshot that does not check out is
 * never trusted (readSnapshot): it is only a cache of what a replay of the segments rebuilds.
 */
export function writeProducerSnapshot(dir: string, baseOffset: number, endOffset: number, state: ProducerState): void {
  const file = path.join(dir, offsetFileName(baseOffset, SNAPSHOT_EXTENSION))
  const json = JSON.stringify({ endOffset, ...state.snapshot() })
  // Not fsynced: a snapshot lost to a power cut only means a longer replay on the next open.
  writeFileAtomic(file, `${crc32c(Buffer.from(json))}\n${json}`, { durable: false })
}

/** Base offsets of the segment files in a partition directory, ascending; warns of foreign files. */
export function listSegmentOffsets(dir: string, logger: LogLogger): number[] {
  const offsets: number[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const base = parseOffsetFileName(entry.name, SEGMENT_EXTENSION)
    // Only regular files: a link could point outside the data directory, a directory is not ours.
    if (base !== undefined && entry.isFile()) offsets.push(base)
    else if (base !== undefined) logger.warn(`ignoring ${entry.name} in ${dir}: named like a segment but not a regular file`)
    else if (!KNOWN_EXTENSIONS.some((extension) => entry.name.endsWith(extension))) logger.warn(`ignoring a foreign file ${entry.name} in ${dir}`)
  }
  return offsets.sort((a, b) => a - b)
}

/** The partition's own files besides segments, which a link must not stand in for. */
const OWN_FILE_EXTENSIONS = ['.index', '.timeindex', SNAPSHOT_EXTENSION, LOG_START_OFFSET_FILE, RECOVERY_POINT_FILE]

/**
 * Links are never followed out of the data directory. A partition directory that is a link is
 * refused (its data lives elsewhere: the operator decides). A link in place of one of the
 * partition's index, snapshot or checkpoint files is removed (the link, never its target) with a
 * warning, and the file is rebuilt; a read-only view, which may not remove it, refuses to open.
 * Links named like segments are left to listSegmentOffsets, which ignores them.
 */
function refuseLinks(dir: string, name: string, readOnly: boolean, logger: LogLogger): void {
  if (fs.lstatSync(dir).isSymbolicLink()) {
    logger.warn(`refusing to open ${name}: its directory ${dir} is a link, which Tributary never follows`)
    throw new StorageError(dir, `${name}: the partition directory is a link; move the partition's files into the data directory`, undefined)
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isSymbolicLink() || !OWN_FILE_EXTENSIONS.some((extension) => entry.name.endsWith(extension))) continue
    const file = path.join(dir, entry.name)
    if (readOnly) throw new StorageError(file, `${name}: ${entry.name} is a link, which a read-only view may not remove`, undefined)
    logger.warn(`removing the link ${entry.name} in ${dir}: a file of the log is never read through a link; it is rebuilt`)
    fs.unlinkSync(file)
  }
}

/**
 * Opens the segments of a partition: sealed segments with their indexes (rebuilt when they do
 * not fit), the last one scanned and, after an unclean stop, CRC-checked batch by batch and cut
 * at the first invalid batch. Fills `producerState` from the newest snapshot and a replay of
 * what follows it.
 */
export function recoverPartition(options: PartitionLogOptions, producerState: ProducerState): { segments: Segment[]; events: RecoveryEvent[] } {
  const { readOnly, dir, topic, partition, logger } = options
  const segments: Segment[] = []
  const events: RecoveryEvent[] = []
  const track = (header: BatchHeader, chunk: Buffer, at: number): void => trackBatch(producerState, header, chunk, at)
  refuseLinks(dir, `${topic}-${partition}`, readOnly, logger)
    // Leftovers of an interrupted atomic write or compaction: the originals are intact.
    if (!readOnly) for (const name of fs.readdirSync(dir)) if (name.endsWith('.tmp') || name.endsWith('.cleaned')) fs.rmSync(path.join(dir, name), { force: true })
    const offsets = listSegmentOffsets(dir, logger)
    if (offsets.length === 0) {
      if (readOnly) throw new StorageError(dir, `${topic}-${partition} has no segment`, undefined)
      logger.warn(`${topic}-${partition} had no segment; starting an empty one`)
      return { segments: [Segment.create(dir, 0, options.clock.now())], events }
    }
    // Transaction bookkeeping comes from the snapshot at the active segment's base, plus a
    // replay of what follows it; without one, from a replay of every segment.
    const snapshot = readSnapshot(dir, offsets[offsets.length - 1]!)
    if (snapshot !== undefined) producerState.restore(snapshot)
    const replayFrom = snapshot?.endOffset ?? 0
    const visit = (header: BatchHeader, chunk: Buffer, at: number): void => {
      if (header.baseOffset >= replayFrom) track(header, chunk, at)
    }
    // A sealed segment that ends past the recovery point may hold data that was never synced, torn
    // by a power cut: it is checked batch by batch like the active one, and cut at its first bad
    // batch, and the segments after it go (the log is contiguous: nothing after a tear is trusted).
    const recoveryPoint = readOnly ? Infinity : readRecoveryPoint(dir)
    for (let i = 0; i < offsets.length; i++) {
      const segment = Segment.open(dir, offsets[i]!, readOnly)
      segments.push(segment)
      const isLast = i === offsets.length - 1
      const replay = offsets[i + 1] === undefined || offsets[i + 1]! > replayFrom
      const unsynced = !isLast && offsets[i + 1]! > recoveryPoint
      if (unsynced) {
        segment.resetIndexes()
        const result = segment.scan({ verify: true, index: true, visit, contiguous: options.config.cleanup === 'delete' })
        if (result.stopReason === undefined) {
          segment.nextOffset = offsets[i + 1]!
          continue
        }
        events.push(truncateTail(options, segment, result.validBytes, result.stopReason))
        for (const later of offsets.slice(i + 1)) events.push(removeSegmentFiles(options, later, `a segment before it was torn (${result.stopReason})`))
        break
      }
      if (!isLast && segment.loadIndexes(offsets[i + 1]!)) {
        if (replay) segment.scan({ verify: false, index: false, visit })
        segment.nextOffset = offsets[i + 1]!
        continue
      }
      if (!isLast) logger.warn(`rebuilding the indexes of ${segment.file}`)
      segment.resetIndexes()
      const result = segment.scan({ verify: isLast, index: true, visit, contiguous: isLast || options.config.cleanup === 'delete' })
      if (isLast && result.stopReason !== undefined) events.push(truncateTail(options, segment, result.validBytes, result.stopReason))
      if (!isLast && result.stopReason !== undefined) segment.damagedFrom = result.nextOffset
      if (!isLast) segment.nextOffset = offsets[i + 1]!
    }
    if (snapshot !== undefined && snapshot.endOffset > segments[segments.length - 1]!.nextOffset) {
      // The tail the snapshot describes is gone (a truncation): rebuild from every segment.
      // A scan moves the segment's nextOffset to where it stopped: a sealed segment cut short
      // must keep the next segment's base, or its missing records would be skipped silently.
      producerState.restore({ ongoing: [], aborted: [] })
      for (const segment of segments) {
        const nextOffset = segment.nextOffset
        segment.scan({ verify: false, index: false, visit: track, contiguous: segment === segments[segments.length - 1] || options.config.cleanup === 'delete' })
        segment.nextOffset = nextOffset
      }
    }
    return { segments, events }
}

/** Removes a segment and its index and snapshot files (after a torn segment before it). */
function removeSegmentFiles(options: PartitionLogOptions, baseOffset: number, reason: string): RecoveryEvent {
  const { topic, partition, dir } = options
  const file = path.join(dir, offsetFileName(baseOffset, SEGMENT_EXTENSION))
  const truncatedBytes = fs.statSync(file).size
  options.logger.warn(`recovered ${topic}-${partition}: removed ${path.basename(file)} (${truncatedBytes} bytes), after ${reason}`)
  for (const extension of [SEGMENT_EXTENSION, '.index', '.timeindex', SNAPSHOT_EXTENSION]) fs.rmSync(path.join(dir, offsetFileName(baseOffset, extension)), { force: true })
  return { topic, partition, segment: file, truncatedBytes, reason }
}

function truncateTail(options: PartitionLogOptions, segment: Segment, validBytes: number, reason: string): RecoveryEvent {
  const { topic, partition } = options
  const truncatedBytes = segment.size - validBytes
  options.logger.warn(`recovered ${topic}-${partition}: cut ${truncatedBytes} bytes from ${path.basename(segment.file)} at position ${validBytes}, after ${reason}`)
  if (options.readOnly) segment.size = validBytes
  else segment.truncate(validBytes, segment.nextOffset)
  return { topic, partition, segment: segment.file, truncatedBytes, reason }
}

/** Whether a parsed snapshot has the shape and the bounds writeProducerSnapshot gives it. */
function isSnapshot(value: unknown): value is ProducerStateSnapshot & { readonly endOffset: number } {
  if (typeof value !== 'object' || value === null) return false
  const { endOffset, ongoing, aborted } = value as Record<string, unknown>
  const offset = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0
  if (!offset(endOffset) || !Array.isArray(ongoing) || !Array.isArray(aborted)) return false
  const pairs = ongoing.every((entry: unknown) => Array.isArray(entry) && entry.length === 2 && offset(entry[0]) && offset(entry[1]) && entry[1] < endOffset)
  const ranges = aborted.every((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return false
    const { producerId, firstOffset, lastOffset } = entry as Record<string, unknown>
    return offset(producerId) && offset(firstOffset) && offset(lastOffset) && firstOffset <= lastOffset && lastOffset < endOffset
  })
  return pairs && ranges
}

function readSnapshot(dir: string, baseOffset: number): (ProducerStateSnapshot & { readonly endOffset: number }) | undefined {
  const file = path.join(dir, offsetFileName(baseOffset, SNAPSHOT_EXTENSION))
    try {
      const text = fs.readFileSync(file, 'utf8')
      const newline = text.indexOf('\n')
      if (newline === -1) return undefined
      const json = text.slice(newline + 1)
      if (text.slice(0, newline) !== String(crc32c(Buffer.from(json)))) return undefined
      const parsed = JSON.parse(json) as unknown
      return isSnapshot(parsed) && parsed.endOffset >= baseOffset ? parsed : undefined
    } catch {
      return undefined
    }
  }
