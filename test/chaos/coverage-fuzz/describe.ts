/** How a campaign prints: one line of figures, and for a finding its input as hex and Jazzer's report. */
import type { Campaign } from './campaign.js'

/**
 * The campaign's line: inputs executed, libFuzzer's coverage figures, seconds, and FINDING if any.
 *
 * @example
 * console.log(describeCampaign(campaign)) // 'coverage-fuzz record-batch: 40000 inputs, cov 164, ft 429, corpus 71 (from 6 seeds), 2.9 s'
 */
export function describeCampaign(campaign: Campaign): string {
  const { target, runs, cov, ft, corpus, seeds, seconds } = campaign
  const verdict = campaign.finding === undefined ? '' : ', FINDING'
  return `coverage-fuzz ${target}: ${runs} inputs, cov ${cov}, ft ${ft}, corpus ${corpus} (from ${seeds} seeds), ${seconds.toFixed(1)} s${verdict}`
}

/**
 * The finding's input (hex) and Jazzer's report, for a failure's message.
 *
 * @example
 * if (campaign.finding) throw new Error(describeFinding(campaign))
 */
export function describeFinding(campaign: Campaign): string {
  if (campaign.finding === undefined) return `${campaign.target}: no finding`
  const { input, report, kept } = campaign.finding
  return `${campaign.target}: finding on the input (${input.length} bytes, hex) ${input.toString('hex')}\nkept in ${kept}\n${report}`
}
