/**
 * The malformed-input suite's checks: the output against the model of the good records (through
 * the shared `checkRecords`), and the dead-letter topic against the bad records, byte for byte.
 *
 * In the dead-letter check, a bad record without its dead letter counts as lost, a second letter
 * of one as duplicated, and a letter that differs from its record (key, value, headers,
 * timestamp, error code or message) or that no bad record explains as a state mismatch.
 *
 * @example
 * const report = combine(checkOutput(planner.goodPerProducer(), outputs), checkDeadLetters(written, letters))
 * expect(report.problems).toEqual([])
 */
import type { App, LogRecord, RecordHeader } from '../../index.js'
import { waitUntil } from '../runtime/helpers.js'
import { checkRecords, CLEAN, type CheckReport } from './checker.js'
import { producerKey } from './malformed-classes.js'
import type { WrittenRecord } from './malformed-workload.js'

const EXAMPLES = 5

/**
 * Checks the output topic: each record is `producer:sequence` keyed `p<producer>`; per producer,
 * the sequences read must be 0 to n - 1, once each, in order. An output no good record explains
 * (a bad record that got through) is a state mismatch.
 *
 * @example
 * checkOutput([2], [{ key: Buffer.from('p0'), value: Buffer.from('0:0'), … }, …])
 */
export function checkOutput(goodPerProducer: readonly number[], outputs: readonly LogRecord[]): CheckReport {
  const observed: number[][] = goodPerProducer.map(() => [])
  const strays: string[] = []
  for (const output of outputs) {
    const match = /^(\d+):(\d+)$/.exec(String(output.value))
    const producer = Number(match?.[1])
    const sequences = observed[producer]
    if (match === null || sequences === undefined || output.key === null || !output.key.equals(producerKey(producer))) {
      strays.push(`${String(output.key)}=${String(output.value)} at ${output.partition}/${output.offset}`)
      continue
    }
    sequences.push(Number(match[2]))
  }
  const report = checkRecords({ expected: goodPerProducer, exactlyOnce: true }, observed)
  if (strays.length === 0) return report
  return { ...report, state_mismatch: report.state_mismatch + strays.length, problems: [...report.problems, `output: ${strays.length} records no good input explains (${examples(strays)})`] }
}

/**
 * Checks the dead-letter topic against the bad records of `written`: exactly one letter each,
 * with the record's key, value, timestamp and headers, then the five `tributary.*` headers
 * naming its class's error code, a message its class expects (which names the record's topic,
 * partition and offset), and its topic, partition, offset.
 *
 * @example
 * checkDeadLetters(written, await readTopic(log, DEAD_LETTERS)) // CLEAN when all is well
 */
export function checkDeadLetters(written: readonly WrittenRecord[], letters: readonly LogRecord[]): CheckReport {
  const bad = new Map<string, WrittenRecord>()
  for (const record of written) if (record.bad !== undefined) bad.set(sourceOf(record.topic, record.partition, record.offset), record)
  const seen = new Set<string>()
  const duplicated: string[] = []
  const wrong: string[] = []
  for (const letter of letters) {
    const source = sourceOf(header(letter, 'tributary.source.topic'), header(letter, 'tributary.source.partition'), header(letter, 'tributary.source.offset'))
    const record = bad.get(source)
    if (record === undefined) {
      wrong.push(`a letter from ${source}, which is not a bad record`)
      continue
    }
    if (seen.has(source)) duplicated.push(source)
    seen.add(source)
    const difference = letterDifference(record, letter)
    if (difference !== undefined) wrong.push(`${record.bad?.name} at ${source}: ${difference}`)
  }
  const missing = [...bad.entries()].filter(([source]) => !seen.has(source)).map(([source, record]) => `${record.bad?.name} at ${source}`)
  const problems: string[] = []
  if (missing.length > 0) problems.push(`dead letters: ${missing.length} bad records have none (${examples(missing)})`)
  if (duplicated.length > 0) problems.push(`dead letters: ${duplicated.length} bad records have more than one (${examples(duplicated)})`)
  if (wrong.length > 0) problems.push(`dead letters: ${wrong.length} differ from their bad record (${examples(wrong)})`)
  return { ...CLEAN, lost: missing.length, duplicated: duplicated.length, state_mismatch: wrong.length, problems }
}

/** What differs between a bad record and its dead letter, or undefined. */
function letterDifference(record: WrittenRecord, letter: LogRecord): string | undefined {
  const bad = record.bad!
  if (!sameBytes(letter.key, record.key)) return `key ${String(letter.key)} for ${String(record.key)}`
  if (!sameBytes(letter.value, record.value)) return `value of ${letter.value?.length} bytes for ${record.value?.length}`
  if (letter.timestamp !== record.timestamp) return `timestamp ${letter.timestamp} for ${record.timestamp}`
  const original = letter.headers.slice(0, record.headers.length)
  if (!original.every((found, i) => sameHeader(found, record.headers[i]!))) return `original headers ${describeHeaders(original)} for ${describeHeaders(record.headers)}`
  const added = letter.headers.slice(record.headers.length).map((found) => found.key)
  const expectedKeys = ['tributary.error.code', 'tributary.error.message', 'tributary.source.topic', 'tributary.source.partition', 'tributary.source.offset']
  if (added.join() !== expectedKeys.join()) return `added headers ${added.join(', ')}`
  const code = header(letter, 'tributary.error.code')
  if (code !== bad.code) return `error code ${code} for ${bad.code}`
  const message = header(letter, 'tributary.error.message') ?? ''
  if (!bad.message.test(message)) return `error message ${JSON.stringify(message)} does not match ${bad.message}`
  const where = `${record.topic}-${record.partition} offset ${record.offset}`
  if (!message.includes(where)) return `error message ${JSON.stringify(message)} does not say where: ${where}`
  return undefined
}

/**
 * Starts `app`, waits until it has taken `records` input records, and stops it (which commits);
 * throws, naming the error, as soon as the app stops by itself. Returns the app's metrics.
 *
 * @example
 * const metrics = await runUntilTaken(app, 100_000, 45_000)
 * expect(metrics.recordsIn).toBe(100_000)
 */
export async function runUntilTaken(app: App, records: number, timeoutMs: number): Promise<ReturnType<App['metrics']>> {
  await app.start()
  let stopped: { readonly error: unknown } | undefined
  const done = app.done.then(
    () => {
      stopped = { error: undefined }
    },
    (error: unknown) => {
      stopped = { error }
    },
  )
  try {
    await waitUntil(
      () => {
        if (stopped !== undefined) throw new Error(`the app stopped by itself after ${app.metrics().recordsIn} records`, { cause: stopped.error })
        return app.metrics().recordsIn >= records
      },
      `${records} records taken`,
      timeoutMs,
    )
  } finally {
    await app.stop()
    await done
  }
  if (stopped?.error !== undefined) throw new Error('the app failed while stopping', { cause: stopped.error })
  return app.metrics()
}

function sourceOf(topic: string | number | undefined, partition: string | number | undefined, offset: string | number | undefined): string {
  return `${topic}/${partition}/${offset}`
}

function header(letter: LogRecord, key: string): string | undefined {
  return letter.headers.find((candidate) => candidate.key === key)?.value.toString()
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b)
}

function sameHeader(a: RecordHeader, b: RecordHeader): boolean {
  return a.key === b.key && a.value.equals(b.value)
}

function describeHeaders(headers: readonly RecordHeader[]): string {
  return headers.map((found) => `${found.key}=${found.value.toString()}`).join(', ')
}

function examples(values: readonly string[]): string {
  const shown = values.slice(0, EXAMPLES).join('; ')
  return values.length > EXAMPLES ? `${shown}; …` : shown
}
