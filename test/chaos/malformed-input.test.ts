/**
 * Suite 6 of RELIABILITY.md, malformed input: a real app on the embedded log reads 100,000
 * records (times TRIBUTARY_CHAOS_SCALE) of which 1,000 are bad, dealt in turn to the classes of
 * `malformed-classes.ts` (JSON that does not parse, fails the guard, is not UTF-8 or is nested
 * 50,000 deep; Avro with a wrong magic byte, a short header, an unknown schema id, cut short, with
 * a hostile array count or trailing bytes; a key that is not UTF-8 or null; a null value; a value
 * the user's function throws for, or whose async step rejects), at places a seed picks
 * (TRIBUTARY_MALFORMED_SEED replays a run).
 *
 * With dead-lettering (under at_least_once, and again under exactly_once, where the dead letters
 * go in the tasks' transactions), exactly the bad records reach the dead-letter topic, each with its
 * original key, value, timestamp and headers and the `tributary.*` headers its class calls for;
 * every good record's output reaches the output topic once and in order (the shared checker);
 * the counters are exact; the app never stops by itself, and a restart on the same data takes
 * only the records written after it (no bad record is taken again: nothing crash-loops).
 * With 'skip', a smaller run checks that `metrics().skipped` counts exactly the bad records.
 */
import { describe, expect, test } from 'vitest'
import { InMemorySchemaRegistry, SerdeError, serdes, type AppLogger } from '../../index.js'
import { seedFromEnv, seededRandom } from '../crash/seeded-random.js'
import { committedOffsets, endOffsets, readTopic, tempDirPerTest, withLog } from '../runtime/helpers.js'
import { combine } from './checker.js'
import { BAD_INPUT_CLASSES, DEEP_NESTING, isReading, readingEncoders } from './malformed-classes.js'
import { checkDeadLetters, checkOutput, runUntilTaken } from './malformed-check.js'
import { DEAD_LETTERS, INPUT_TOPICS, InputPlanner, OUTPUT, readingsApp, writeInputs, type WrittenRecord } from './malformed-workload.js'
import { reportSuite } from './report.js'

const SCALE = Number(process.env.TRIBUTARY_CHAOS_SCALE ?? 1)
const RECORDS = Math.round(100_000 * SCALE)
const BAD = Math.round(1_000 * SCALE)
/** The restart's records: a few of every class among good ones. */
const RESTART_RECORDS = 2_000
const RESTART_BAD = BAD_INPUT_CLASSES.length * 4
const SKIP_RECORDS = Math.round(10_000 * SCALE)
const SKIP_BAD = Math.round(100 * SCALE)
const SEED = seedFromEnv('TRIBUTARY_MALFORMED_SEED', 20_261_126)
const RUN_TIMEOUT_MS = Math.max(45_000, 45_000 * SCALE)
const TEST_TIMEOUT_MS = Math.max(60_000, 60_000 * SCALE)

type Processing = 'at_least_once' | 'exactly_once'
/** The chaos report's name for the dead-letter case under each processing guarantee. */
const SUITE_NAMES: Readonly<Record<Processing, string>> = { at_least_once: 'malformed-input', exactly_once: 'malformed-input/exactly_once' }

/** A logger that keeps what the app says, so 10,000 skip warnings stay off the terminal. */
function quietLogger(): AppLogger & { readonly warnings: string[] } {
  const warnings: string[] = []
  return { warnings, warn: (message) => warnings.push(message), info: () => undefined }
}

/** How many of `written` are bad, per class name. */
function badPerClass(written: readonly WrittenRecord[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const record of written) if (record.bad !== undefined) counts[record.bad.name] = (counts[record.bad.name] ?? 0) + 1
  return counts
}

describe('malformed input', () => {
  const tempDir = tempDirPerTest('malformed')

  test.each<Processing>(['at_least_once', 'exactly_once'])('%s: dead-letters exactly the bad records with their bytes and error headers, and every good record reaches the output', async (processing) => {
    const startedMs = Date.now()
    const dataDir = tempDir()
    const registry = new InMemorySchemaRegistry()
    const planner = new InputPlanner(seededRandom(SEED), readingEncoders(registry))
    const logger = quietLogger()
    const options = { dataDir, stateDir: tempDir(), registry, policy: { deadLetter: DEAD_LETTERS }, logger, processing }
    const first = await withLog(dataDir, (log) => writeInputs(log, planner.next(RECORDS, BAD)))
    const firstMetrics = await runUntilTaken(readingsApp(options), RECORDS, RUN_TIMEOUT_MS)
    const firstRunMs = Date.now() - startedMs
    // recordsOut counts what the app wrote: an output per good record, a dead letter per bad one.
    expect(firstMetrics).toMatchObject({ recordsIn: RECORDS, deadLettered: BAD, skipped: 0, recordsOut: RECORDS, lateRecords: 0 })

    // A restart on the same data: it takes only the new records, none of the first run's bad ones again.
    const second = await withLog(dataDir, (log) => writeInputs(log, planner.next(RESTART_RECORDS, RESTART_BAD)))
    const secondMetrics = await runUntilTaken(readingsApp(options), RESTART_RECORDS, RUN_TIMEOUT_MS)
    expect(secondMetrics).toMatchObject({ recordsIn: RESTART_RECORDS, deadLettered: RESTART_BAD, skipped: 0, recordsOut: RESTART_RECORDS })

    const written = [...first, ...second]
    const report = await withLog(dataDir, async (log) => {
      for (const topic of Object.values(INPUT_TOPICS)) expect(await committedOffsets(log, 'malformed', topic)).toEqual(await endOffsets(log, topic))
      return combine(checkOutput(planner.goodPerProducer(), await readTopic(log, OUTPUT)), checkDeadLetters(written, await readTopic(log, DEAD_LETTERS)))
    })
    reportSuite({ suite: SUITE_NAMES[processing], runs: 2, faults_injected: BAD + RESTART_BAD, ...report })
    console.log(
      `${SUITE_NAMES[processing]} (seed ${SEED}): ${RECORDS} + ${RESTART_RECORDS} records, ${BAD} + ${RESTART_BAD} bad ` +
        `(${JSON.stringify(badPerClass(written))}); first run written and processed in ${(firstRunMs / 1000).toFixed(1)} s, all in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
    )
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({ lost: 0, duplicated: 0, aborted_read: 0, out_of_order: 0, state_mismatch: 0 })
    expect(logger.warnings).toEqual([])
  }, TEST_TIMEOUT_MS)

  test("'skip' counts exactly the bad records in metrics().skipped, and every good record reaches the output", async () => {
    const dataDir = tempDir()
    const registry = new InMemorySchemaRegistry()
    const planner = new InputPlanner(seededRandom(SEED + 1), readingEncoders(registry))
    const logger = quietLogger()
    const written = await withLog(dataDir, (log) => writeInputs(log, planner.next(SKIP_RECORDS, SKIP_BAD)))
    const metrics = await runUntilTaken(readingsApp({ dataDir, stateDir: tempDir(), registry, policy: 'skip', logger }), SKIP_RECORDS, RUN_TIMEOUT_MS)
    expect(metrics).toMatchObject({ recordsIn: SKIP_RECORDS, skipped: SKIP_BAD, deadLettered: 0, recordsOut: SKIP_RECORDS - SKIP_BAD })
    expect(logger.warnings.filter((warning) => warning.startsWith('skipped: '))).toHaveLength(SKIP_BAD)
    const report = await withLog(dataDir, async (log) => {
      expect(await readTopic(log, DEAD_LETTERS)).toEqual([])
      for (const topic of Object.values(INPUT_TOPICS)) expect(await committedOffsets(log, 'malformed', topic)).toEqual(await endOffsets(log, topic))
      return checkOutput(planner.goodPerProducer(), await readTopic(log, OUTPUT))
    })
    reportSuite({ suite: 'malformed-input/skip', runs: 1, faults_injected: SKIP_BAD, ...report })
    expect(Object.keys(badPerClass(written))).toHaveLength(BAD_INPUT_CLASSES.length)
    expect(report.problems).toEqual([])
    expect(report).toMatchObject({ lost: 0, duplicated: 0, aborted_read: 0, out_of_order: 0, state_mismatch: 0 })
  }, TEST_TIMEOUT_MS)
})

describe('a deeply nested JSON value', () => {
  // Found by this suite: json.ts's guard-rejection message stringified the whole rejected value
  // again, and V8's RangeError ("Maximum call stack size exceeded") escaped `deserialize`.
  test('the guard rejects it with a SerdeError naming the serde, showing the start of the text', () => {
    const deep = Buffer.from(`${'['.repeat(DEEP_NESTING)}${']'.repeat(DEEP_NESTING)}`)
    expect(() => serdes.json({ guard: isReading }).deserialize(deep, { topic: INPUT_TOPICS.json, isKey: false })).toThrow(SerdeError)
    expect(() => serdes.json({ guard: isReading }).deserialize(deep, { topic: INPUT_TOPICS.json, isKey: false })).toThrow(/json\(isReading\).*rejected the value: \[\[\[/)
  })
})
