/**
 * Runs the coverage-guided targets by hand, at any size: each target's line (inputs, libFuzzer's
 * `cov` and `ft`, seconds), and for a finding its input as hex and Jazzer's report. Exits 1 on a
 * finding. A long run finds more: `--runs 2000000` per target (with `--rss-limit-mb`, default
 * 8192, for Jazzer's own growth over millions of inputs; see campaign.ts).
 *
 * @example
 * // npx tsx test/chaos/coverage-fuzz/run.ts --runs 200000 --seed 11 record-batch avro-decode
 */
import { parseArgs } from 'node:util'
import { describeCampaign, describeFinding } from './describe.js'
import { runCampaign } from './campaign.js'
import { prepareJazzer } from './jazzer-runtime.js'
import { FUZZ_TARGETS } from './targets/index.js'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string', default: '7008' }, 'rss-limit-mb': { type: 'string', default: '8192' } },
})
const chosen = positionals.length === 0 ? FUZZ_TARGETS : FUZZ_TARGETS.filter((target) => positionals.includes(target.name))
if (chosen.length === 0) throw new Error(`no such target; they are ${FUZZ_TARGETS.map((target) => target.name).join(', ')}`)
const runtime = prepareJazzer()
console.log(`coverage-fuzz: Jazzer.js addon ${runtime.addon}`)
let findings = 0
for (const target of chosen) {
  const campaign = await runCampaign(runtime, target, { runs: Number(values.runs), seed: Number(values.seed), rssLimitMb: Number(values['rss-limit-mb']) })
  console.log(describeCampaign(campaign))
  if (campaign.finding !== undefined) {
    findings++
    console.log(describeFinding(campaign))
  }
}
process.exitCode = findings === 0 ? 0 : 1
