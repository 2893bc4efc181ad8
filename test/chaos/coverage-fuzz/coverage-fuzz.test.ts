/**
 * Suite 7 of RELIABILITY.md, its coverage-guided half: Jazzer.js (libFuzzer for Node) mutates
 * inputs to reach new branches of the code that takes bytes from outside, and every input must
 * end in a value or a documented typed error, in bounded time. The targets (./targets):
 *
 * 1. record-batch: the embedded log's RecordBatch v2 decoder on segment bytes (checkBatch,
 *    decodeRecords, readControlMarker); allowed: CorruptRecordError and checkBatch's problems.
 * 2. avro-decode: `serdes.avro` deserialize of untrusted payloads with a fixed set of schemas;
 *    allowed: SerdeError.
 * 3. connector-config: `parseConfig` with a schema of every field type; allowed: ConfigError.
 * 4. connect-config: `parseConnectConfig` of whole `tributary connect` configs; allowed: ConfigError.
 * 5. json-line: the file connector's `isJson` must agree with `JSON.parse` (differential).
 * 6. csv: the file connector's `readCsvRecord` and CSV decoder; rows are rejected, never thrown.
 *
 * Each target runs for a fixed number of inputs from a fixed seed (its CI size times
 * TRIBUTARY_CHAOS_SCALE), starting from its seeds and the regression inputs under ./regressions.
 * A finding (an error that is not allowed, a broken invariant, a hang past 10 s per input, a
 * crash) fails the test with the input as hex and Jazzer's report. A longer hunt:
 * `npx tsx test/chaos/coverage-fuzz/run.ts --runs 1000000`.
 */
import { afterAll, describe, expect, test } from 'vitest'
import { CLEAN } from '../checker.js'
import { chaosScale, reportSuite } from '../report.js'
import { runCampaign, type Campaign } from './campaign.js'
import { describeCampaign, describeFinding } from './describe.js'
import { prepareJazzer, type JazzerRuntime } from './jazzer-runtime.js'
import { FUZZ_TARGETS } from './targets/index.js'

const SEED = 7008
const campaigns: Campaign[] = []
let runtime: JazzerRuntime | undefined

/** Prepared once, on first use: a failure to load Jazzer fails each test with the loader's message. */
function jazzer(): JazzerRuntime {
  runtime ??= prepareJazzer()
  return runtime
}

afterAll(() => {
  if (runtime !== undefined) console.log(`coverage-fuzz: Jazzer.js addon ${runtime.addon}`)
  if (campaigns.length === 0) return
  const inputs = campaigns.reduce((total, campaign) => total + campaign.runs, 0)
  const findings = campaigns.filter((campaign) => campaign.finding !== undefined).length
  reportSuite({ suite: 'fuzz/coverage-guided', runs: inputs, faults_injected: inputs, ...CLEAN, state_mismatch: findings })
})

describe('coverage-guided fuzzing (Jazzer.js)', () => {
  for (const [index, target] of FUZZ_TARGETS.entries()) {
    test(`${target.name}: every input ends in a value or ${target.allowed}`, async () => {
      const runs = Math.max(1, Math.round(target.ciRuns * chaosScale()))
      const scale = Math.max(1, chaosScale())
      // RSS limit above libFuzzer's 2048 MB: Jazzer's own process grows over long campaigns (campaign.ts).
      const campaign = await runCampaign(jazzer(), target, { runs, seed: SEED + index, wallClockLimitMs: 5 * 60_000 * scale, rssLimitMb: 4096 })
      campaigns.push(campaign)
      console.log(describeCampaign(campaign))
      expect(campaign.finding, describeFinding(campaign)).toBeUndefined()
      expect(campaign.runs).toBe(runs)
      expect(campaign.cov).toBeGreaterThan(0)
    }, 10 * 60_000 * Math.max(1, chaosScale()))
  }
})
