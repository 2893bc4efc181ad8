/** Throughput and per-send latency of batched appends with an fsync per batch, against write + fdatasync. */
import { measureAppend } from '../append-workload.js'
import { runWorkload, scaled } from '../report.js'

await runWorkload('log-append-fsync', () => measureAppend({ durability: 'fsync', records: scaled(200_000), baseline: 'raw_fsync' }))
