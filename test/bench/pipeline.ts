/**
 * What the pipeline benchmarks share: filling the input topic, timing an app from `start()`
 * until it has stopped with every output written, timing the same copy done with the bare log
 * consumer and producer (the baseline), and checking the outputs afterwards.
 *
 * @example
 * await prefill(log, { topic: 'in', records, kind: lineRecords })
 * const run = await timeApp(log, { id: 'bench', processing: 'at_least_once', commitIntervalMs: 1000, input: 'in', output: 'out', records, kind: lineRecords })
 * await checkOutputs(log, { topic: 'out', records, kind: lineRecords })
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { App } from '../../index.js'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { Log, LogRecord, ProducerRecord } from '../../core/log/types.js'
import { filter, mapValues } from '../../operators/index.js'
import { keptCount, lastKeptSequence, type RecordKind } from './pipeline-data.js'
import { elapsedMs, type Figures, withTempDir } from './report.js'

const prefillBatchRecords = 1_000
/** Records per poll for the app (its default) and for the baseline alike. */
const maxPollRecords = 1_000
/** How often the wait for the end looks at the app's counters. */
const checkIntervalMs = 1
/** How long `checkOutputs` waits for a fetch before it calls the outputs short. */
const checkPollTimeoutMs = 2_000
/** A run that makes no progress for this long is stuck. */
const stuckAfterMs = 30_000

/** Appends records 0..records-1 of `kind` to partition 0 of `topic`, a batch of 1,000 per send. */
export async function prefill<V extends NonNullable<unknown>>(log: Log, plan: { topic: string; records: number; kind: RecordKind<V> }): Promise<void> {
  await appendSequence(log, { records: plan.records, recordOf: (sequence) => ({ topic: plan.topic, partition: 0, key: null, value: plan.kind.valueBytes(sequence) }) })
}

/** Appends the records `recordOf(0..records-1)` with one producer, `batchRecords` (default 1,000) per awaited send. */
export async function appendSequence(log: Log, plan: { records: number; recordOf: (sequence: number) => ProducerRecord; batchRecords?: number }): Promise<void> {
  const batchRecords = plan.batchRecords ?? prefillBatchRecords
  const producer = log.producer()
  try {
    for (let first = 0; first < plan.records; first += batchRecords) {
      const batch: ProducerRecord[] = []
      for (let sequence = first; sequence < Math.min(plan.records, first + batchRecords); sequence++) batch.push(plan.recordOf(sequence))
      await producer.send(batch)
    }
  } finally {
    await producer.close()
  }
}

export interface AppPlan<V extends NonNullable<unknown>> {
  readonly id: string
  readonly processing: 'at_least_once' | 'exactly_once'
  readonly commitIntervalMs: number
  readonly input: string
  readonly output: string
  /** Records in the input topic. */
  readonly records: number
  readonly kind: RecordKind<V>
}

export interface TimedRun {
  readonly seconds: number
  /** Commits the app made (under exactly_once, one transaction per task each). */
  readonly commits: number
}

/**
 * Times `filter → mapValues → to` from `start()` until the app has taken every input record
 * and `stop()` has returned, which sends and commits what it still holds: the timed span ends
 * when the output holds every record, however long the commit interval.
 */
export async function timeApp<V extends NonNullable<unknown>>(log: Log, plan: AppPlan<V>): Promise<TimedRun> {
  const { kind } = plan
  const app = new App({ id: plan.id, log, processing: plan.processing, commitIntervalMs: plan.commitIntervalMs, maxPollRecords, handleSignals: false })
  app
    .stream(plan.input, { value: kind.serde })
    .pipe(filter(kind.keep), mapValues(kind.transform))
    .to(plan.output, { value: kind.serde })
  return timeStartToStop(app, plan.records)
}

/**
 * Times a declared app from `start()` until it has taken `records` input records and `stop()`
 * has returned (the stop flushes, sends and commits what the app still holds).
 */
export async function timeStartToStop(app: App, records: number): Promise<TimedRun> {
  let failure: unknown
  const startNs = process.hrtime.bigint()
  await app.start()
  app.done.catch((error: unknown) => {
    failure = error
  })
  try {
    await waitUntil(() => app.metrics().recordsIn >= records, () => failure, () => `${app.id} took ${app.metrics().recordsIn} of ${records} records`)
  } finally {
    await app.stop()
  }
  const seconds = elapsedMs(startNs) / 1000
  await app.done
  return { seconds, commits: app.metrics().commits }
}

/**
 * The baseline: the same copy with the bare log API. Poll batches of the same size, run the
 * same serde and user functions in plain JS, send each poll's outputs, commit at the end.
 */
export async function timeLogCopy<V extends NonNullable<unknown>>(log: Log, plan: Omit<AppPlan<V>, 'processing' | 'commitIntervalMs'>): Promise<{ seconds: number }> {
  const { kind } = plan
  const context = { topic: plan.input, isKey: false }
  const startNs = process.hrtime.bigint()
  const consumer = log.consumer({ groupId: plan.id, isolation: 'read_uncommitted', maxPollRecords })
  const producer = log.producer()
  await consumer.subscribe([plan.input])
  let taken = 0
  let lastProgressNs = process.hrtime.bigint()
  while (taken < plan.records) {
    const records = await consumer.poll({ timeoutMs: 100 })
    if (records.length === 0 && elapsedMs(lastProgressNs) > stuckAfterMs) throw new Error(`log copy stuck at ${taken} of ${plan.records} records`)
    const outputs: ProducerRecord[] = []
    for (const record of records) {
      const value = kind.serde.deserialize(record.value!, context)
      if (!kind.keep(value)) continue
      outputs.push({ topic: plan.output, key: record.key, value: kind.serde.serialize(kind.transform(value), context), headers: record.headers, timestamp: record.timestamp })
    }
    if (outputs.length > 0) await producer.send(outputs)
    taken += records.length
    if (records.length > 0) lastProgressNs = process.hrtime.bigint()
  }
  await consumer.commit()
  await consumer.close()
  await producer.close()
  return { seconds: elapsedMs(startNs) / 1000 }
}

/**
 * Reads `topic` whole (read_committed) after a run and checks it holds exactly the expected
 * outputs: their number, and the last one's value. Not timed.
 */
export async function checkOutputs<V extends NonNullable<unknown>>(log: Log, plan: { topic: string; records: number; kind: RecordKind<V> }): Promise<void> {
  const consumer = log.consumer({ isolation: 'read_committed' })
  await consumer.assign([{ topic: plan.topic, partition: 0 }])
  const expected = keptCount(plan.records)
  let count = 0
  let last: LogRecord | undefined
  // Waits for fetches while outputs are missing (a Kafka fetch is not instant); once all are in, one look for extras.
  for (;;) {
    const batch = await consumer.poll({ maxRecords: 10_000, timeoutMs: count < expected ? checkPollTimeoutMs : 0 })
    if (batch.length === 0) break
    count += batch.length
    last = batch[batch.length - 1]
  }
  await consumer.close()
  if (count !== expected) throw new Error(`${plan.topic} holds ${count} records, expected ${expected}`)
  const context = { topic: plan.topic, isKey: false }
  const lastExpected = plan.kind.transform(plan.kind.serde.deserialize(plan.kind.valueBytes(lastKeptSequence(plan.records)), context))
  const lastExpectedBytes = plan.kind.serde.serialize(lastExpected, context)
  if (last?.value == null || !last.value.equals(lastExpectedBytes)) throw new Error(`the last record of ${plan.topic} is not the output of the last input record`)
}

/**
 * Waits until `done()` holds, looking every millisecond; throws what `failed()` returns, or
 * when nothing changes for 30 s. While the app has a backlog its loop may not yield to timers,
 * so the looks then come when the backlog is gone.
 */
export async function waitUntil(done: () => boolean, failed: () => unknown, progress: () => string): Promise<void> {
  let lastProgress = progress()
  let lastChangeNs = process.hrtime.bigint()
  while (!done()) {
    const failure = failed()
    if (failure !== undefined) throw failure
    await sleep(checkIntervalMs)
    const now = progress()
    if (now !== lastProgress) {
      lastProgress = now
      lastChangeNs = process.hrtime.bigint()
    } else if (elapsedMs(lastChangeNs) > stuckAfterMs) throw new Error(`stuck: ${now}`)
  }
}

const input = 'in'
const appOutput = 'out'
const copyOutput = 'copy-out'
/** at_least_once commits its input offsets every second here, as a busy production app might (the default is 30 s). */
export const benchCommitIntervalMs = 1_000

/**
 * `pipeline-stateless` and `pipeline-json`: the app at_least_once, then the log-copy baseline
 * on the same input (the app runs first, on a colder JIT, so the ratio errs low).
 */
export async function measureAgainstLogCopy<V extends NonNullable<unknown>>(plan: { records: number; kind: RecordKind<V>; valueBytes: number }): Promise<Figures> {
  const { records, kind } = plan
  return withTempDir(async (dir) => {
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    try {
      for (const topic of [input, appOutput, copyOutput]) await log.createTopic(topic, { partitions: 1 })
      await prefill(log, { topic: input, records, kind })
      const app = await timeApp(log, { id: 'pipeline', processing: 'at_least_once', commitIntervalMs: benchCommitIntervalMs, input, output: appOutput, records, kind })
      await checkOutputs(log, { topic: appOutput, records, kind })
      const copy = await timeLogCopy(log, { id: 'log-copy', input, output: copyOutput, records, kind })
      await checkOutputs(log, { topic: copyOutput, records, kind })
      const recordsPerSecond = records / app.seconds
      const copyRecordsPerSecond = records / copy.seconds
      return {
        serde: kind.name,
        processing: 'at_least_once',
        commit_interval_ms: benchCommitIntervalMs,
        records,
        value_bytes: plan.valueBytes,
        outputs: keptCount(records),
        seconds: app.seconds,
        records_per_s: recordsPerSecond,
        commits: app.commits,
        log_copy_seconds: copy.seconds,
        log_copy_records_per_s: copyRecordsPerSecond,
        ratio_to_log_copy: recordsPerSecond / copyRecordsPerSecond,
      }
    } finally {
      await log.close()
    }
  })
}

