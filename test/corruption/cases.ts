/**
 * The seeded list of corruption cases: random damage to active and sealed segments, targeted
 * damage to each batch-header field, index damage, stray files and links. The counts below
 * are draws per template (the cases of one run come from one seed; a sweep varies the seed).
 */
import fs from 'node:fs'
import path from 'node:path'
import { offsetFileName } from '../../core/log/embedded/files.js'
import type { SeededRandom } from '../crash/seeded-random.js'
import {
  PAGE_BYTES,
  describeIndexDamage,
  describeSegmentDamage,
  fieldStart,
  type DamageCase,
  type IndexDamage,
  type SegmentDamage,
  type SegmentRef,
  type StrayEntry,
} from './damage.js'
import { partitionDir, type Template } from './templates.js'

const TARGETED_FIELDS = ['baseOffset', 'batchLength', 'partitionLeaderEpoch', 'magic', 'crc', 'attributes', 'lastOffsetDelta', 'recordCount'] as const

function segmentName(template: Template, at: SegmentRef): string {
  const layouts = template.segments[at.partition]!
  const role = at.segment === layouts.length - 1 ? 'active segment' : `sealed segment ${layouts[at.segment]!.baseOffset}`
  return `${template.name} p${at.partition} ${role}`
}

function randomSegmentDamage(random: SeededRandom, size: number, kind: SegmentDamage['kind']): SegmentDamage {
  switch (kind) {
    case 'truncate':
      return { kind, position: random.int(0, size - 1) }
    case 'flip':
      return { kind, position: random.int(0, size - 1), bit: random.int(0, 7) }
    case 'append': {
      const garbage = random.bytes(random.chance(0.3) ? random.int(1, 60) : random.int(61, 5000))
      // Sometimes garbage that parses as a batch header (magic 2, a positive length): a torn batch with a random baseOffset.
      if (garbage.length >= 61 && random.chance(0.3)) {
        garbage.writeInt32BE(random.int(49, 2 ** 31 - 1), 8)
        garbage[16] = 2
      }
      return { kind, garbage }
    }
    case 'zero-page':
      return { kind, page: random.int(0, Math.ceil(size / PAGE_BYTES) - 1) }
  }
}

/** A flip inside one header field of a random batch (bits of baseOffset's low word mostly: the subtle ones). */
function targetedFlip(random: SeededRandom, template: Template, at: SegmentRef, field: (typeof TARGETED_FIELDS)[number]): SegmentDamage {
  const batch = random.pick(template.segments[at.partition]![at.segment]!.batches)
  const width = { baseOffset: 8, batchLength: 4, partitionLeaderEpoch: 4, magic: 1, crc: 4, attributes: 2, lastOffsetDelta: 4, recordCount: 4 }[field]
  const byte = field === 'baseOffset' && random.chance(0.7) ? random.int(4, 7) : random.int(0, width - 1)
  return { kind: 'flip', position: batch.position + fieldStart(field) + byte, bit: random.int(0, 7) }
}

function segmentCase(template: Template, at: SegmentRef, damage: SegmentDamage, label = ''): DamageCase {
  return { name: `${segmentName(template, at)}: ${label}${describeSegmentDamage(damage)}`, template, damage: { kind: 'segment', at, damage } }
}

function activeOf(template: Template, partition: number): SegmentRef {
  return { partition, segment: template.segments[partition]!.length - 1 }
}

/** Random damage to the index of the active segment: it is rebuilt on every open, so none of it may matter. */
function randomIndexDamage(random: SeededRandom, size: number, entryBytes: number): IndexDamage {
  switch (random.int(0, 3)) {
    case 0:
      return { how: 'delete' }
    case 1:
      return { how: 'truncate', length: random.int(0, Math.max(0, size - 1)) }
    case 2:
      return { how: 'overwrite', garbage: random.bytes(Math.max(size, entryBytes)) }
    default:
      return { how: 'flip', position: random.int(0, Math.max(0, size - 1)), bit: random.int(0, 7) }
  }
}

interface IndexCase {
  readonly extension: '.index' | '.timeindex'
  readonly damage: IndexDamage
}

/**
 * Damage to a sealed segment's index, each kind built so its effect is certain: files that no
 * longer parse (must be rebuilt), shorter but consistent files, and well-formed lies.
 */
function sealedIndexCases(random: SeededRandom, offsetIndex: Buffer, timeIndex: Buffer): IndexCase[] {
  const cases: IndexCase[] = []
  const garbage = (size: number): Buffer => {
    const bytes = random.bytes(Math.max(size, 24))
    bytes[4] = 0xff // an .index position far past the segment's end
    bytes[0] = 0xff // a .timeindex whose first timestamp is above the second
    bytes[12] = 0x00
    return bytes
  }
  for (const [extension, data, entryBytes] of [['.index', offsetIndex, 8], ['.timeindex', timeIndex, 12]] as const) {
    const entries = data.length / entryBytes
    cases.push({ extension, damage: { how: 'delete' } })
    cases.push({ extension, damage: { how: 'overwrite', garbage: garbage(data.length) } })
    cases.push({ extension, damage: { how: 'truncate', length: random.int(1, entryBytes - 1) + entryBytes * random.int(0, entries - 1) } })
    cases.push({ extension, damage: { how: 'truncate', length: entryBytes * random.int(0, entries - 1) } })
  }
  const offsetEntries = offsetIndex.length / 8
  const lowerable = Array.from({ length: offsetEntries }, (_, i) => i).filter((i) => i > 0 && offsetIndex.readUInt32BE((i - 1) * 8) + 1 < offsetIndex.readUInt32BE(i * 8))
  if (lowerable.length > 0) {
    const i = random.pick(lowerable)
    const value = offsetIndex.readUInt32BE((i - 1) * 8) + 1
    cases.push({ extension: '.index', damage: { how: 'set-uint32', position: i * 8, value, what: `entry ${i}'s relative offset lowered to ${value}` } })
  }
  const i = random.int(0, offsetEntries - 1)
  const position = offsetIndex.readUInt32BE(i * 8 + 4) + 1
  cases.push({ extension: '.index', damage: { how: 'set-uint32', position: i * 8 + 4, value: position, what: `entry ${i}'s position moved into its batch (${position})` } })
  const last = (timeIndex.length / 12 - 1) * 12
  const low = timeIndex.readUInt32BE(last + 4)
  if (low > 0) {
    cases.push({ extension: '.timeindex', damage: { how: 'set-uint32', position: last + 4, value: low - 1, what: 'the last entry\'s timestamp lowered by 1 ms' } })
  }
  return cases
}

const STRAY_CATALOGUE: readonly ((random: SeededRandom) => StrayEntry)[] = [
  (random) => ({ name: 'notes.txt', type: 'file', contents: random.bytes(100) }),
  (random) => ({ name: '.DS_Store', type: 'file', contents: random.bytes(40) }),
  (random) => ({ name: 'x.log', type: 'file', contents: random.bytes(200) }),
  (random) => ({ name: '00000000000000000000.log.bak', type: 'file', contents: random.bytes(500) }),
  (random) => ({ name: '0000000000000000000a.log', type: 'file', contents: random.bytes(300) }),
  (random) => ({ name: '00000000000000099999.index', type: 'file', contents: random.bytes(16) }),
  (random) => ({ name: '00000000000000099999.timeindex', type: 'file', contents: random.bytes(24) }),
  (random) => ({ name: '00000000000000099999.snapshot', type: 'file', contents: random.bytes(30) }),
  (random) => ({ name: 'leftover.tmp', type: 'file', contents: random.bytes(64) }),
  (random) => ({ name: 'subdir', type: 'directory', contents: random.bytes(10) }),
  (random) => ({ name: 'link-to-outside', type: 'link-outside', contents: random.bytes(128) }),
  (random) => ({ name: 'link.log', type: 'link-outside', contents: random.bytes(128) }),
]

/** Draws per template of each kind of damage to the active segment. */
const ACTIVE_DRAWS = { truncate: 14, flip: 14, append: 8, 'zero-page': 8 } as const
/** Draws of each kind of damage to a sealed segment (templates with more than one segment). */
const SEALED_DRAWS = { truncate: 10, flip: 14, append: 6, 'zero-page': 7 } as const
/** Flips per header field, and extra flips of baseOffset (outside the CRC: the subtle one). */
const FLIPS_PER_FIELD = 2
const EXTRA_BASE_OFFSET_FLIPS = 5
/** Sealed segments whose index files get the whole catalogue of index damage. */
const SEALED_INDEX_SEGMENTS = 2
/** Cases with a sealed segment and the active segment both damaged. */
const SEALED_AND_TAIL_DRAWS = 8
const ACTIVE_INDEX_DRAWS = 5
const STRAY_DRAWS = 16

export function generateCases(templates: readonly Template[], random: SeededRandom): DamageCase[] {
  const cases: DamageCase[] = []
  for (const template of templates) {
    cases.push({ name: `${template.name}: undamaged`, template, damage: { kind: 'none' } })
    const active = (): SegmentRef => activeOf(template, random.int(0, template.partitions - 1))
    for (const [kind, count] of Object.entries(ACTIVE_DRAWS) as [SegmentDamage['kind'], number][]) {
      for (let i = 0; i < count; i++) {
        const at = active()
        cases.push(segmentCase(template, at, randomSegmentDamage(random, template.segments[at.partition]![at.segment]!.sizeBytes, kind)))
      }
    }
    for (const field of TARGETED_FIELDS) {
      for (let i = 0; i < FLIPS_PER_FIELD; i++) {
        const at = active()
        cases.push(segmentCase(template, at, targetedFlip(random, template, at, field), `${field} `))
      }
    }
    for (let i = 0; i < EXTRA_BASE_OFFSET_FLIPS; i++) {
      const at = active()
      cases.push(segmentCase(template, at, targetedFlip(random, template, at, 'baseOffset'), 'baseOffset '))
    }
  }
  for (const template of templates.filter((candidate) => candidate.segments[0]!.length > 1)) cases.push(...sealedCases(template, random))
  for (const template of templates) {
    for (let i = 0; i < ACTIVE_INDEX_DRAWS; i++) {
      const at = activeOf(template, random.int(0, template.partitions - 1))
      const extension = random.pick(['.index', '.timeindex'] as const)
      const file = path.join(partitionDir(template.dir, at.partition), offsetFileName(template.segments[at.partition]![at.segment]!.baseOffset, extension))
      const damage = randomIndexDamage(random, fs.statSync(file).size, extension === '.index' ? 8 : 12)
      cases.push({ name: `${segmentName(template, at)}: ${extension} ${describeIndexDamage(damage)}`, template, damage: { kind: 'index', at, extension, damage } })
    }
  }
  for (let i = 0; i < STRAY_DRAWS; i++) {
    const template = random.pick(templates)
    const entries = new Map<string, StrayEntry>()
    for (let n = random.int(1, 4); n > 0; n--) {
      const entry = random.pick(STRAY_CATALOGUE)(random)
      entries.set(entry.name, entry)
    }
    const partition = random.int(0, template.partitions - 1)
    cases.push({ name: `${template.name} p${partition}: stray ${[...entries.keys()].join(', ')}`, template, damage: { kind: 'stray', partition, entries: [...entries.values()] } })
  }
  return cases
}

/** Damage to the sealed segments of partition 0 of a template that has some. */
function sealedCases(template: Template, random: SeededRandom): DamageCase[] {
  const cases: DamageCase[] = []
  const layouts = template.segments[0]!
  const sealed = (): SegmentRef => ({ partition: 0, segment: random.int(0, layouts.length - 2) })
  for (const [kind, count] of Object.entries(SEALED_DRAWS) as [SegmentDamage['kind'], number][]) {
    for (let i = 0; i < count; i++) {
      const at = sealed()
      cases.push(segmentCase(template, at, randomSegmentDamage(random, layouts[at.segment]!.sizeBytes, kind)))
    }
  }
  for (const field of TARGETED_FIELDS) {
    for (let i = 0; i < FLIPS_PER_FIELD; i++) {
      const at = sealed()
      cases.push(segmentCase(template, at, targetedFlip(random, template, at, field), `${field} `))
    }
  }
  // Cuts at a batch boundary, inside a batch header, and past a header: the segment then ends before the next one starts.
  for (const [label, into] of [['at a batch boundary, ', () => 0], ['inside a batch header, ', () => random.int(1, 60)], ['past a batch header, ', () => random.int(61, 150)]] as const) {
    for (let i = 0; i < FLIPS_PER_FIELD; i++) {
      const at = sealed()
      const batch = random.pick(layouts[at.segment]!.batches.filter((candidate) => candidate.totalBytes > 150))
      cases.push(segmentCase(template, at, { kind: 'truncate', position: batch.position + into() }, label))
    }
  }
  // Damage to a sealed segment and to the active one: recovery cuts the tail, and that must not hide the sealed damage.
  for (let i = 0; i < SEALED_AND_TAIL_DRAWS; i++) {
    const at = sealed()
    const boundary = random.pick(layouts[at.segment]!.batches).position
    const damage = random.chance(0.5) ? { kind: 'truncate' as const, position: boundary } : randomSegmentDamage(random, layouts[at.segment]!.sizeBytes, random.pick(['truncate', 'flip'] as const))
    const tail = randomSegmentDamage(random, layouts[layouts.length - 1]!.sizeBytes, random.pick(['truncate', 'flip', 'append'] as const))
    cases.push({
      name: `${segmentName(template, at)}: ${describeSegmentDamage(damage)}; active segment: ${describeSegmentDamage(tail)}`,
      template,
      damage: { kind: 'segment', at, damage, tail },
    })
  }
  for (let i = 0; i < SEALED_INDEX_SEGMENTS; i++) {
    const at = sealed()
    const layout = layouts[at.segment]!
    const read = (extension: string): Buffer => fs.readFileSync(path.join(partitionDir(template.dir, 0), offsetFileName(layout.baseOffset, extension)))
    for (const { extension, damage } of sealedIndexCases(random, read('.index'), read('.timeindex'))) {
      cases.push({ name: `${segmentName(template, at)}: ${extension} ${describeIndexDamage(damage)}`, template, damage: { kind: 'index', at, extension, damage } })
    }
  }
  return cases
}

/**
 * Entries in a partition directory named like segments but not regular files (a directory,
 * a link to a file outside the data directory), after the last segment and between two: the
 * log ignores them with a warning and never writes through the link.
 */
export function hostileCases(templates: readonly Template[], random: SeededRandom): DamageCase[] {
  const cases: DamageCase[] = []
  for (const template of templates) {
    const endOffset = template.endOffsets[0]!
    for (const [where, offset] of [['after the last segment', endOffset + 1000], ['inside the partition', random.int(1, endOffset - 1)]] as const) {
      const name = offsetFileName(offset, '.log')
      for (const type of ['directory', 'link-outside'] as const) {
        cases.push({
          name: `${template.name} p0: a ${type === 'directory' ? 'directory' : 'link to a file outside the data directory'} named ${name} (${where})`,
          template,
          damage: { kind: 'stray', partition: 0, entries: [{ name, type, contents: random.bytes(300) }] },
        })
      }
    }
  }
  return cases
}
