/**
 * End-to-end throughput of a stateless app, `filter → mapValues → to`, at_least_once, over
 * 100-byte string values already in a one-partition topic: from `start()` until the app has
 * stopped with every output written. Baseline: the same copy with the bare log consumer and
 * producer (`log_copy_*`, `ratio_to_log_copy`).
 */
import { measureAgainstLogCopy } from '../pipeline.js'
import { lineBytes, lineRecords } from '../pipeline-data.js'
import { runWorkload, scaled } from '../report.js'

await runWorkload('pipeline-stateless', () => measureAgainstLogCopy({ records: scaled(10_000_000), kind: lineRecords, valueBytes: lineBytes }))
