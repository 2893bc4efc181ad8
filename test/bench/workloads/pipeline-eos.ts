/**
 * `pipeline-stateless` under exactly_once (commit interval 100 ms: a transaction per commit,
 * outputs and input offsets together), against the same app at_least_once on the same input
 * in the same run (`at_least_once_*`, `ratio_to_at_least_once`). exactly_once runs first, on
 * a colder JIT, so the ratio errs low.
 */
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import { benchCommitIntervalMs, checkOutputs, prefill, timeApp } from '../pipeline.js'
import { keptCount, lineBytes, lineRecords } from '../pipeline-data.js'
import { runWorkload, scaled, withTempDir } from '../report.js'

const exactlyOnceCommitIntervalMs = 100
const input = 'in'

await runWorkload('pipeline-eos', () =>
  withTempDir(async (dir) => {
    const records = scaled(10_000_000)
    const kind = lineRecords
    const log = await openEmbeddedLog({ dir, durability: 'none' })
    try {
      for (const topic of [input, 'eos-out', 'alo-out']) await log.createTopic(topic, { partitions: 1 })
      await prefill(log, { topic: input, records, kind })
      const exactlyOnce = await timeApp(log, { id: 'eos', processing: 'exactly_once', commitIntervalMs: exactlyOnceCommitIntervalMs, input, output: 'eos-out', records, kind })
      await checkOutputs(log, { topic: 'eos-out', records, kind })
      const atLeastOnce = await timeApp(log, { id: 'alo', processing: 'at_least_once', commitIntervalMs: benchCommitIntervalMs, input, output: 'alo-out', records, kind })
      await checkOutputs(log, { topic: 'alo-out', records, kind })
      const recordsPerSecond = records / exactlyOnce.seconds
      const atLeastOnceRecordsPerSecond = records / atLeastOnce.seconds
      return {
        processing: 'exactly_once',
        commit_interval_ms: exactlyOnceCommitIntervalMs,
        records,
        value_bytes: lineBytes,
        outputs: keptCount(records),
        seconds: exactlyOnce.seconds,
        records_per_s: recordsPerSecond,
        transactions: exactlyOnce.commits,
        at_least_once_commit_interval_ms: benchCommitIntervalMs,
        at_least_once_seconds: atLeastOnce.seconds,
        at_least_once_records_per_s: atLeastOnceRecordsPerSecond,
        ratio_to_at_least_once: recordsPerSecond / atLeastOnceRecordsPerSecond,
      }
    } finally {
      await log.close()
    }
  }),
)
