/** Throughput of batched appends with durability `none`, against plain file writes of the same bytes. */
import { measureAppend } from '../append-workload.js'
import { runWorkload, scaled } from '../report.js'

await runWorkload('log-append', () => measureAppend({ durability: 'none', records: scaled(5_000_000), baseline: 'raw_write' }))
