/**
 * `pipeline-stateless` with 200-byte JSON values: the app parses each one (serdes.json), drops
 * debug events, adds a field and writes it back as JSON. Baseline: the same with the bare log API.
 */
import { measureAgainstLogCopy } from '../pipeline.js'
import { eventBytes, eventRecords } from '../pipeline-data.js'
import { runWorkload, scaled } from '../report.js'

await runWorkload('pipeline-json', () => measureAgainstLogCopy({ records: scaled(4_000_000), kind: eventRecords, valueBytes: eventBytes }))
