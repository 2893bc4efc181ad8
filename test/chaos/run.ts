/**
 * `npm run chaos`: runs every suite of the crash, corruption, fault and bad-input suite
 * (RELIABILITY.md) at its CI size, or larger with TRIBUTARY_CHAOS_SCALE (for example 20), then
 * prints each suite's JSON line and a last line for all of them (see report.ts). The suites on
 * Kafka run when a broker is wanted (CI=true or TRIBUTARY_KAFKA=1, as the other Kafka tests).
 * Exits non-zero when a test failed or a count is not 0.
 *
 * @example
 * // npm run chaos
 * // TRIBUTARY_CHAOS_SCALE=20 npm run chaos -- test/crash
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { printReport } from './summary.js'

/** Where the suites live: the kill -9 loops, torn writes, the chaos folder, and the Kafka faults. */
export const CHAOS_SUITES = ['test/crash', 'test/corruption', 'test/chaos', 'test/kafka/scale-out.test.ts', 'test/kafka/zombie.test.ts', 'test/kafka/broker-faults.test.ts', 'test/connectors/file/file-crash.test.ts', 'test/connectors/postgres/postgres-crash.test.ts', 'test/connectors/http/http-sink-crash.test.ts']

const root = path.resolve(import.meta.dirname, '../..')
const file = path.join(root, '.cache', 'chaos-run.jsonl')
fs.mkdirSync(path.dirname(file), { recursive: true })
fs.rmSync(file, { force: true })
const chosen = process.argv.slice(2)
const run = spawnSync('npx', ['vitest', 'run', ...(chosen.length > 0 ? chosen : CHAOS_SUITES)], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, TRIBUTARY_CHAOS_REPORT: file },
})
const clean = printReport(file)
process.exitCode = run.status === 0 && clean ? 0 : 1
