/**
 * Torn writes, bit flips, garbage, zeroed pages, damaged index files and stray files: a log
 * is built, closed, damaged, and opened again (read-only, then read-write). Opening never
 * throws; the active segment, CRC-checked batch by batch on every open, recovers to the
 * records before the first damaged batch, and the cut is reported; damage in a sealed segment
 * is a CorruptRecordError on read, wherever a read starts; nothing that was not written, or
 * not at its offset, is ever returned.
 *
 * RELIABILITY.md's CI size, 1,000 cases (times TRIBUTARY_CHAOS_SCALE): random draws in rounds of their
 * own seeds, after the hostile cases. TRIBUTARY_CORRUPTION_SEED replays a run (the seed is printed
 * when a case fails).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, onTestFailed, test } from 'vitest'
import { openEmbeddedLog, type EmbeddedLog } from '../../core/log/embedded/index.js'
import { CorruptRecordError } from '../../core/log/errors.js'
import { makeScratchDirectory } from '../crash/scratch.js'
import { seedFromEnv, seededRandom, type SeededRandom } from '../crash/seeded-random.js'
import { generateCases, hostileCases } from './cases.js'
import { applyDamage, expectIntact, expectSegmentsDamage, type DamageCase, type Expectation } from './damage.js'
import { compareWithWritten, describeError, readPartition, seekEveryOffsetProblems, seekIntoDamageProblems, timestampLookupProblems, type PartitionRead } from './read-back.js'
import { TOPIC, buildTemplate, type Template, type TemplateSpec } from './templates.js'
import { classify, CLEAN, combine } from '../chaos/checker.js'
import { chaosScale, reportSuite } from '../chaos/report.js'

const SEED = seedFromEnv('TRIBUTARY_CORRUPTION_SEED', 4242)

const TEMPLATE_SPECS: readonly TemplateSpec[] = [
  { name: 'one partition', config: { partitions: 1 }, records: 300, transactions: true },
  { name: 'two partitions', config: { partitions: 2 }, records: 300, transactions: false },
  { name: 'sealed segments', config: { partitions: 1, segmentBytes: 12 * 1024 }, records: 400, transactions: false },
]

const root = makeScratchDirectory('tributary-corruption-', 256 * 1024 * 1024)
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
const random = seededRandom(SEED)
const templates: Template[] = []
try {
  for (const [i, spec] of TEMPLATE_SPECS.entries()) templates.push(await buildTemplate(path.join(root, `template-${i}`), spec, random.fork(i)))
} catch (error) {
  fs.rmSync(root, { recursive: true, force: true })
  throw error
}
/** RELIABILITY.md's CI size: 1,000 damage cases (times TRIBUTARY_CHAOS_SCALE), each round of random draws with its own seed. */
const CASES = Math.round(1_000 * chaosScale())
const cases = hostileCases(templates, random.fork(200))
for (let round = 0; cases.length < CASES; round++) cases.push(...generateCases(templates, random.fork(100 + 1_000 * round)))
/** Every case's counts by the shared checker's classes (a case's problems are state that differs from the model), and how many cases damaged something. */
let checked = CLEAN
let damaged = 0
/** Counts for the summary: passed cases by expected outcome and by the header field first damaged, and reads of garbage after a sealed segment. */
const tallies = { outcome: new Map<string, number>(), field: new Map<string, number>(), sealedGarbage: new Map<string, number>() }
const tally = (counts: Map<string, number>, key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1)

/** The expectation for a case; undamaged partitions and intact data must read back whole. */
function expectationFor(damageCase: DamageCase, partition: number): Expectation {
  const { damage, template } = damageCase
  if (damage.kind === 'segment' && damage.at.partition === partition) return expectSegmentsDamage(template, damage.at, damage.damage, damage.tail)
  return expectIntact(partition, template.endOffsets[partition]!)
}

/** Checks one read of one partition against its expectation (read-only and read-write opens recover alike). */
async function partitionProblems(log: EmbeddedLog, damageCase: DamageCase, expectation: Expectation, caseRandom: SeededRandom): Promise<string[]> {
  const { partition, readableEnd, cutBytes, errorOffset, resumeAt, restEnd, stop } = expectation
  const written = damageCase.template.written[partition]!
  const events = log.recoveryEvents().filter((event) => event.topic === TOPIC && event.partition === partition)
  const read: PartitionRead = await readPartition(log, partition, caseRandom)
  const harmless = stop === 'corrupt-or-harmless' && read.error === undefined
  const problems = compareWithWritten(read.records, written, 0, harmless ? restEnd : readableEnd)
  const cut = events.length === 1 && events[0]!.truncatedBytes === cutBytes && read.endOffset === readableEnd && read.errors.length === 0
  const isExpectedError = (error: unknown): boolean =>
    error instanceof CorruptRecordError &&
    error.topic === TOPIC &&
    error.partition === partition &&
    Number.isSafeInteger(error.offset) &&
    (errorOffset === undefined || error.offset === errorOffset)
  // Every poll that threw, with any batch size, must have named the same place.
  const corrupt = read.error !== undefined && read.errors.every(isExpectedError)
  const errors = read.errors.length === 0 ? '' : ` with ${read.errors.map(describeError).join('; then ')}`
  const happened = `recovery events ${JSON.stringify(events.map((event) => [event.truncatedBytes, event.reason]))}, end offset ${read.endOffset}, reading stopped at ${read.position}${errors}`
  const expectedError = `CorruptRecordError${errorOffset === undefined ? '' : ` at offset ${errorOffset}`}`
  switch (stop) {
    case 'end':
      if (events.length > 0 || read.errors.length > 0 || read.endOffset !== readableEnd) problems.push(`expected a clean end at offset ${readableEnd} and no cut; got ${happened}`)
      break
    case 'cut':
      if (!cut) problems.push(`expected a cut of ${cutBytes} bytes and the end at offset ${readableEnd}; got ${happened}`)
      break
    case 'corrupt':
    case 'corrupt-or-harmless': {
      // A read reports the garbage when it reaches it; one that ends at the segment's last batch goes on in the next segment.
      if (stop === 'corrupt-or-harmless') tally(tallies.sealedGarbage, read.errors.length > 0 ? 'reported' : 'never reached')
      // Damage left in a sealed segment is never cut; a damaged active segment beside it is.
      const tailCut = cutBytes === 0 ? events.length === 0 : events.length === 1 && events[0]!.truncatedBytes === cutBytes
      const tailHappened = `${cutBytes === 0 ? 'no cut' : `a cut of ${cutBytes} bytes`} and the end offset ${restEnd}`
      if (harmless) {
        if (!tailCut || read.endOffset !== restEnd || !read.errors.every(isExpectedError)) problems.push(`expected ${tailHappened}, and no error but ${expectedError}; got ${happened}`)
      } else if (!corrupt || !tailCut || read.endOffset !== restEnd) problems.push(`expected ${expectedError} after offset ${readableEnd - 1}, ${tailHappened}; got ${happened}`)
      else if (resumeAt !== undefined) {
        const rest = await readPartition(log, partition, caseRandom, resumeAt)
        problems.push(...compareWithWritten(rest.records, written, resumeAt, restEnd).map((problem) => `after seeking past the damage to ${resumeAt}: ${problem}`))
        if (rest.errors.length > 0) problems.push(`after seeking past the damage to ${resumeAt}: ${rest.errors.map(describeError).join('; then ')}`)
      }
      break
    }
  }
  return problems
}

/** Opens the damaged copy, checks every partition, and for a read-write open appends once more. */
async function openAndCheck(dataDir: string, damageCase: DamageCase, readOnly: boolean, caseRandom: SeededRandom): Promise<string[]> {
  const mode = readOnly ? 'read-only open' : 'read-write open'
  let log: EmbeddedLog
  try {
    log = await openEmbeddedLog({ dir: dataDir, readOnly, durability: 'none', maintenanceIntervalMs: 0, logger: { warn: () => undefined } })
  } catch (error) {
    return [`${mode} threw ${describeError(error)}`]
  }
  const problems: string[] = []
  try {
    for (let partition = 0; partition < damageCase.template.partitions; partition++) {
      const expectation = expectationFor(damageCase, partition)
      try {
        problems.push(...(await partitionProblems(log, damageCase, expectation, caseRandom)).map((problem) => `${mode}, partition ${partition}: ${problem}`))
        const damage = damageCase.damage
        if (damage.kind === 'segment' && damage.at.partition === partition) {
          // Reads that start inside the damaged segment, wherever the offset index sends them: at every offset of a
          // sealed one, at some of the recovered active one (it reads whole).
          const layouts = damageCase.template.segments[partition]!
          const from = layouts[damage.at.segment]!.baseOffset
          const next = layouts[damage.at.segment + 1]
          const to = next?.baseOffset ?? (await log.describeTopic(TOPIC)).partitions[partition]!.endOffset
          const every = Array.from({ length: to - from }, (_, i) => from + i)
          const offsets = next !== undefined || every.length <= 32 ? every : Array.from({ length: 32 }, () => caseRandom.pick(every))
          const written = damageCase.template.written[partition]!
          problems.push(...(await seekIntoDamageProblems(log, partition, written, offsets, next !== undefined, caseRandom)).map((problem) => `${mode}, partition ${partition}: ${problem}`))
        } else if (damage.kind !== 'segment') {
          const written = damageCase.template.written[partition]!
          // Every timestamp and every offset where index damage could mislead a lookup (once per case: read-write).
          const thorough = !readOnly && (damageCase.damage.kind === 'index' || damageCase.damage.kind === 'none')
          const timestamps = thorough ? written.map((record) => record.timestamp) : Array.from({ length: 12 }, () => caseRandom.pick(written).timestamp + caseRandom.int(-5, 5))
          const lookups = await timestampLookupProblems(log, partition, written, [0, ...timestamps, Number.MAX_SAFE_INTEGER])
          if (thorough) lookups.push(...(await seekEveryOffsetProblems(log, partition, written)))
          problems.push(...lookups.map((problem) => `${mode}, partition ${partition}: ${problem}`))
        }
        if (!readOnly) problems.push(...(await appendProblems(log, partition, expectation)).map((problem) => `${mode}, partition ${partition}: ${problem}`))
      } catch (error) {
        problems.push(`${mode}, partition ${partition}: checking threw ${describeError(error)}`)
      }
    }
  } finally {
    await log.close()
  }
  return problems
}

/** After recovery, the next append lands on the end offset (the recovered end when it was cut). */
async function appendProblems(log: EmbeddedLog, partition: number, expectation: Expectation): Promise<string[]> {
  const endBefore = (await log.describeTopic(TOPIC)).partitions[partition]!.endOffset
  const [metadata] = await log.producer().send([{ topic: TOPIC, partition, value: Buffer.from('after recovery') }])
  const problems: string[] = []
  if (metadata!.offset !== endBefore) problems.push(`an append after recovery got offset ${metadata!.offset}, the end offset was ${endBefore}`)
  // Damage left in a sealed segment does not move the end: only the active segment's recovery does.
  const expected = expectation.stop === 'end' || expectation.stop === 'cut' ? expectation.readableEnd : expectation.restEnd
  if (metadata!.offset !== expected) problems.push(`an append after recovery got offset ${metadata!.offset}, expected ${expected}`)
  return problems
}

function outsideFiles(dir: string): Map<string, string> {
  return new Map(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name)).toString('hex')]))
}

async function runCase(damageCase: DamageCase, index: number): Promise<string[]> {
  const caseDir = fs.mkdtempSync(path.join(root, 'case-'))
  try {
    const dataDir = path.join(caseDir, 'data')
    const outsideDir = path.join(caseDir, 'outside')
    fs.mkdirSync(outsideDir)
    fs.cpSync(damageCase.template.dir, dataDir, { recursive: true })
    applyDamage(dataDir, damageCase.template, damageCase.damage, outsideDir)
    const outsideBefore = outsideFiles(outsideDir)
    const caseRandom = random.fork(10_000 + index)
    const problems = [...(await openAndCheck(dataDir, damageCase, true, caseRandom)), ...(await openAndCheck(dataDir, damageCase, false, caseRandom))]
    // Recovery is done once: a second open finds nothing more to cut.
    try {
      const again = await openEmbeddedLog({ dir: dataDir, durability: 'none', maintenanceIntervalMs: 0, logger: { warn: () => undefined } })
      const events = again.recoveryEvents().filter((event) => event.topic === TOPIC)
      await again.close()
      if (events.length > 0) problems.push(`a second read-write open cut again: ${JSON.stringify(events)}`)
    } catch (error) {
      problems.push(`a second read-write open threw ${describeError(error)}`)
    }
    const outsideAfter = outsideFiles(outsideDir)
    for (const [name, contents] of outsideBefore) if (outsideAfter.get(name) !== contents) problems.push(`the file ${name} outside the data directory was changed through a link`)
    return problems
  } finally {
    fs.rmSync(caseDir, { recursive: true, force: true })
  }
}

describe(`a damaged log reopens, recovers its valid prefix and never serves damage (seed ${SEED})`, () => {
  test.each(cases.map((damageCase, index) => [`#${index} ${damageCase.name}`, damageCase, index] as const))('%s', async (_name, damageCase, index) => {
    onTestFailed(() => console.error(`segment-corruption case #${index} failed with TRIBUTARY_CORRUPTION_SEED=${SEED}: ${damageCase.name}`))
    const problems = await runCase(damageCase, index)
    checked = combine(checked, classify(problems))
    if (damageCase.damage.kind !== 'none') damaged++
    expect(problems, problems.join('\n')).toEqual([])
    const { damage } = damageCase
    if (damage.kind !== 'segment') tally(tallies.outcome, damage.kind === 'none' ? 'undamaged' : `${damage.kind} damage`)
    else {
      const expectation = expectationFor(damageCase, damage.at.partition)
      tally(tallies.outcome, damage.tail === undefined ? expectation.stop : `${expectation.stop}, tail damaged too`)
      tally(tallies.field, `${expectation.facts.segment} ${expectation.facts.field}`)
    }
  })
})

test(`there are at least ${CASES} damage cases (${cases.length})`, () => {
  expect(cases.length).toBeGreaterThanOrEqual(CASES)
})

afterAll(() => {
  reportSuite({ suite: 'torn-writes/segment-corruption', runs: cases.length, faults_injected: damaged, ...checked })
  const show = (counts: Map<string, number>): string => JSON.stringify(Object.fromEntries([...counts].sort()))
  console.log(
    `segment-corruption (seed ${SEED}): ${cases.length} cases; passed, by expected outcome ${show(tallies.outcome)}, ` +
      `by first damaged field ${show(tallies.field)}; reads of garbage after a sealed segment's last batch ${show(tallies.sealedGarbage)}`,
  )
})
