/**
 * Damage to a copied template log, and what a correct log must do about it. Damage to segment
 * bytes is described by its first changed byte, so the oracle knows the first damaged batch:
 * everything before it must survive, nothing from it on may be served.
 */
import fs from 'node:fs'
import path from 'node:path'
import { offsetFileName } from '../../core/log/embedded/files.js'
import { partitionDir, type SegmentLayout, type Template } from './templates.js'

export const PAGE_BYTES = 4096

/** A segment of a template: `segment` indexes `template.segments[partition]` (the last is active). */
export interface SegmentRef {
  readonly partition: number
  readonly segment: number
}

export type SegmentDamage =
  | { readonly kind: 'truncate'; readonly position: number }
  | { readonly kind: 'flip'; readonly position: number; readonly bit: number }
  | { readonly kind: 'append'; readonly garbage: Buffer }
  | { readonly kind: 'zero-page'; readonly page: number }

export type IndexDamage =
  | { readonly how: 'delete' }
  | { readonly how: 'truncate'; readonly length: number }
  | { readonly how: 'overwrite'; readonly garbage: Buffer }
  | { readonly how: 'flip'; readonly position: number; readonly bit: number }
  | { readonly how: 'append'; readonly garbage: Buffer }
  /** Overwrites one 32-bit word: a targeted edit that keeps the file well-formed. */
  | { readonly how: 'set-uint32'; readonly position: number; readonly value: number; readonly what: string }

export interface StrayEntry {
  readonly name: string
  readonly type: 'file' | 'directory' | 'link-outside'
  readonly contents: Buffer
}

export type Damage =
  | { readonly kind: 'none' }
  /** `tail`: damage to the partition's active segment at the same time (two damages to untangle on one open). */
  | { readonly kind: 'segment'; readonly at: SegmentRef; readonly damage: SegmentDamage; readonly tail?: SegmentDamage }
  | { readonly kind: 'index'; readonly at: SegmentRef; readonly extension: '.index' | '.timeindex'; readonly damage: IndexDamage }
  | { readonly kind: 'stray'; readonly partition: number; readonly entries: readonly StrayEntry[] }

export interface DamageCase {
  readonly name: string
  readonly template: Template
  readonly damage: Damage
}

/**
 * What reading the damaged partition must give. Records below `readableEnd` are returned,
 * byte-equal; then reading stops as `stop` says:
 * - `end`: the partition simply ends there (endOffset === readableEnd), no recovery cut needed;
 * - `cut`: recovery cut exactly `cutBytes` from the active segment and the partition ends there
 *   (the active segment is CRC-checked, batch by batch, on every open, read-write or read-only);
 * - `corrupt`: a CorruptRecordError (damage in a sealed segment); from `resumeAt` on, seeking
 *   past the damage reads the rest, to `restEnd` (below the end written when recovery also cut
 *   `cutBytes` from the active segment);
 * - `corrupt-or-harmless`: as `corrupt`, or, for garbage after a sealed segment's last batch
 *   (which no record lies in), everything read to the end: a read that reaches the garbage
 *   reports it, but one that ends at the segment's last batch goes on in the next segment.
 */
export interface Expectation {
  readonly partition: number
  readonly readableEnd: number
  readonly stop: 'end' | 'cut' | 'corrupt' | 'corrupt-or-harmless'
  readonly cutBytes: number
  /** The offset a CorruptRecordError must name (where the first damaged batch belongs). */
  readonly errorOffset: number | undefined
  readonly resumeAt: number | undefined
  readonly restEnd: number
  readonly facts: DamageFacts
}

/** What the damage did, in terms of the batch it hit (for the run's summary). */
export interface DamageFacts {
  readonly segment: 'active' | 'sealed' | 'none'
  readonly kind: SegmentDamage['kind'] | 'none'
  /** Header field of the first damaged byte ('records' past the header, 'appended', 'none'). */
  readonly field: string
}

const NO_FACTS: DamageFacts = { segment: 'none', kind: 'none', field: 'none' }

/** A partition the damage did not touch: it reads back whole. */
export function expectIntact(partition: number, endOffset: number): Expectation {
  return { partition, readableEnd: endOffset, stop: 'end', cutBytes: 0, errorOffset: undefined, resumeAt: undefined, restEnd: endOffset, facts: NO_FACTS }
}

const HEADER_FIELDS: readonly [number, string][] = [
  [0, 'baseOffset'],
  [8, 'batchLength'],
  [12, 'partitionLeaderEpoch'],
  [16, 'magic'],
  [17, 'crc'],
  [21, 'attributes'],
  [23, 'lastOffsetDelta'],
  [27, 'baseTimestamp'],
  [35, 'maxTimestamp'],
  [43, 'producerId'],
  [51, 'producerEpoch'],
  [53, 'baseSequence'],
  [57, 'recordCount'],
  [61, 'records'],
]

export function fieldAt(offsetInBatch: number): string {
  let name = 'records'
  for (const [start, field] of HEADER_FIELDS) if (offsetInBatch >= start) name = field
  return name
}

/** Byte offset of a header field in a batch (for targeted damage). */
export function fieldStart(field: string): number {
  const entry = HEADER_FIELDS.find(([, name]) => name === field)
  if (entry === undefined) throw new Error(`no header field ${field}`)
  return entry[0]
}

export function applySegmentDamage(data: Buffer, damage: SegmentDamage): Buffer {
  switch (damage.kind) {
    case 'truncate':
      return data.subarray(0, damage.position)
    case 'flip': {
      const copy = Buffer.from(data)
      copy[damage.position] = copy[damage.position]! ^ (1 << damage.bit)
      return copy
    }
    case 'append':
      return Buffer.concat([data, damage.garbage])
    case 'zero-page': {
      const copy = Buffer.from(data)
      copy.fill(0, damage.page * PAGE_BYTES, Math.min(data.length, (damage.page + 1) * PAGE_BYTES))
      return copy
    }
  }
}

export function describeSegmentDamage(damage: SegmentDamage): string {
  switch (damage.kind) {
    case 'truncate':
      return `truncated at byte ${damage.position}`
    case 'flip':
      return `bit ${damage.bit} of byte ${damage.position} flipped`
    case 'append':
      return `${damage.garbage.length} random bytes appended`
    case 'zero-page':
      return `4 KiB page ${damage.page} zeroed`
  }
}

/** What a correct log does after `damage` to a segment of `template`. */
export function expectSegmentDamage(template: Template, at: SegmentRef, damage: SegmentDamage): Expectation {
  const layouts = template.segments[at.partition]!
  const layout = layouts[at.segment]!
  const active = at.segment === layouts.length - 1
  const segment = active ? 'active' : 'sealed'
  const endOffset = template.endOffsets[at.partition]!
  const nextBase = active ? endOffset : layouts[at.segment + 1]!.baseOffset
  const original = fs.readFileSync(path.join(partitionDir(template.dir, at.partition), layout.file))
  const damaged = applySegmentDamage(original, damage)
  const firstChanged = firstDifference(original, damaged)
  if (firstChanged === undefined) return expectIntact(at.partition, endOffset)
  const base = { partition: at.partition, errorOffset: undefined, resumeAt: undefined, restEnd: endOffset }
  if (firstChanged >= original.length) {
    // Appended garbage: every batch is intact; the garbage must go (tail) or never harm a read (sealed).
    const facts: DamageFacts = { ...NO_FACTS, segment, kind: damage.kind, field: 'appended' }
    if (!active) return { ...base, readableEnd: nextBase, stop: 'corrupt-or-harmless', cutBytes: 0, errorOffset: nextBase, resumeAt: nextBase, facts }
    const garbage = damaged.length - original.length
    return { ...base, readableEnd: endOffset, stop: 'cut', cutBytes: garbage, facts }
  }
  const batch = batchAt(layout, firstChanged)
  const field = fieldAt(firstChanged - batch.position)
  const facts: DamageFacts = { segment, kind: damage.kind, field }
  // partitionLeaderEpoch is outside the CRC and means nothing to the embedded log: changing only it is harmless.
  const epochStart = batch.position + fieldStart('partitionLeaderEpoch')
  const onlyEpoch = damaged.length === original.length && firstChanged >= epochStart && lastDifference(original, damaged) < epochStart + 4
  if (onlyEpoch) return { ...expectIntact(at.partition, endOffset), facts }
  // Reads check each sealed batch's place in the offset sequence, so even a damaged baseOffset (outside the CRC) is reported at the offset where the batch belongs.
  if (!active) return { ...base, readableEnd: batch.baseOffset, stop: 'corrupt', cutBytes: 0, errorOffset: batch.baseOffset, resumeAt: nextBase, facts }
  const cutBytes = damaged.length - batch.position
  if (cutBytes === 0) return { ...expectIntact(at.partition, batch.baseOffset), facts }
  return { ...base, readableEnd: batch.baseOffset, stop: 'cut', cutBytes, facts }
}

/** What a correct log does after damage to a sealed segment and, with `tail`, to the active segment too. */
export function expectSegmentsDamage(template: Template, at: SegmentRef, damage: SegmentDamage, tail: SegmentDamage | undefined): Expectation {
  const first = expectSegmentDamage(template, at, damage)
  if (tail === undefined) return first
  const last = expectSegmentDamage(template, { partition: at.partition, segment: template.segments[at.partition]!.length - 1 }, tail)
  if (first.stop === 'end') return last
  return { ...first, cutBytes: last.cutBytes, restEnd: last.readableEnd }
}

function firstDifference(a: Buffer, b: Buffer): number | undefined {
  const common = Math.min(a.length, b.length)
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return i
  return a.length === b.length ? undefined : common
}

/** The last index where two buffers of the same length differ (-1 when equal). */
function lastDifference(a: Buffer, b: Buffer): number {
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return i
  return -1
}

function batchAt(layout: SegmentLayout, position: number) {
  const batch = layout.batches.find((candidate) => position >= candidate.position && position < candidate.position + candidate.totalBytes)
  if (batch === undefined) throw new Error(`no batch of ${layout.file} holds byte ${position}`)
  return batch
}

/** Writes the damage into the case's copy of the template (`dataDir`). */
export function applyDamage(dataDir: string, template: Template, damage: Damage, outsideDir: string): void {
  switch (damage.kind) {
    case 'none':
      return
    case 'segment': {
      const layouts = template.segments[damage.at.partition]!
      const file = path.join(partitionDir(dataDir, damage.at.partition), layouts[damage.at.segment]!.file)
      fs.writeFileSync(file, applySegmentDamage(fs.readFileSync(file), damage.damage))
      if (damage.tail !== undefined) {
        const active = path.join(partitionDir(dataDir, damage.at.partition), layouts[layouts.length - 1]!.file)
        fs.writeFileSync(active, applySegmentDamage(fs.readFileSync(active), damage.tail))
      }
      return
    }
    case 'index': {
      const layout = template.segments[damage.at.partition]![damage.at.segment]!
      const file = path.join(partitionDir(dataDir, damage.at.partition), offsetFileName(layout.baseOffset, damage.extension))
      damageIndexFile(file, damage.damage)
      return
    }
    case 'stray': {
      const dir = partitionDir(dataDir, damage.partition)
      for (const entry of damage.entries) {
        const target = path.join(dir, entry.name)
        if (entry.type === 'file') fs.writeFileSync(target, entry.contents)
        else if (entry.type === 'directory') {
          fs.mkdirSync(target)
          fs.writeFileSync(path.join(target, 'inside'), entry.contents)
        } else {
          const outside = path.join(outsideDir, `target-of-${entry.name}`)
          fs.writeFileSync(outside, entry.contents)
          fs.symlinkSync(outside, target)
        }
      }
    }
  }
}

function damageIndexFile(file: string, damage: IndexDamage): void {
  const data = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0)
  switch (damage.how) {
    case 'delete':
      fs.rmSync(file, { force: true })
      return
    case 'truncate':
      fs.writeFileSync(file, data.subarray(0, Math.min(damage.length, data.length)))
      return
    case 'overwrite':
      fs.writeFileSync(file, damage.garbage)
      return
    case 'flip': {
      if (data.length === 0) return
      const copy = Buffer.from(data)
      const position = damage.position % data.length
      copy[position] = copy[position]! ^ (1 << damage.bit)
      fs.writeFileSync(file, copy)
      return
    }
    case 'append':
      fs.writeFileSync(file, Buffer.concat([data, damage.garbage]))
      return
    case 'set-uint32': {
      const copy = Buffer.from(data)
      copy.writeUInt32BE(damage.value, damage.position)
      fs.writeFileSync(file, copy)
    }
  }
}

export function describeIndexDamage(damage: IndexDamage): string {
  switch (damage.how) {
    case 'delete':
      return 'deleted'
    case 'truncate':
      return `truncated to ${damage.length} bytes`
    case 'overwrite':
      return `overwritten with ${damage.garbage.length} random bytes`
    case 'flip':
      return `bit ${damage.bit} of byte ${damage.position} flipped`
    case 'append':
      return `${damage.garbage.length} random bytes appended`
    case 'set-uint32':
      return damage.what
  }
}
