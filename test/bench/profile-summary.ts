/**
 * Summarises a V8 `.cpuprofile` by self time: the functions where the CPU actually was.
 *
 * @example
 * // node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx test/bench/workloads/log-append.ts
 * // npx tsx test/bench/profile-summary.ts --top 10 /tmp/prof/CPU.*.cpuprofile
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
}

/** The parts of the DevTools profile format we read; times are in microseconds. */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly startTime: number
  readonly endTime: number
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

export interface SelfTime {
  readonly functionName: string
  readonly location: string
  readonly selfMs: number
  readonly share: number
}

const repoRootUrl = new URL('../../', import.meta.url).href

function isCpuProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false
  return ['nodes', 'samples', 'timeDeltas'].every((field) => field in value && Array.isArray(Reflect.get(value, field)))
}

function locationOf(frame: CallFrame): string {
  if (frame.url === '') return ''
  const path = frame.url.startsWith(repoRootUrl) ? frame.url.slice(repoRootUrl.length) : frame.url
  // lineNumber is zero-based and counts lines of the code V8 ran: tsx hands V8 each .ts file
  // as one line, so there the line says nothing and only the file is shown.
  return frame.lineNumber > 0 ? `${path}:${frame.lineNumber + 1}` : path
}

/**
 * Self time per function (nodes with the same name and source position are one function).
 * A sample lasts until the next one, as DevTools counts it.
 */
export function selfTimes(profile: CpuProfile): SelfTime[] {
  const frameById = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const selfUsByFunction = new Map<string, { frame: CallFrame; selfUs: number }>()
  let sampleTimeUs = profile.startTime
  profile.samples.forEach((nodeId, index) => {
    sampleTimeUs += profile.timeDeltas[index] ?? 0
    const nextTimeUs = sampleTimeUs + (profile.timeDeltas[index + 1] ?? profile.endTime - sampleTimeUs)
    const frame = frameById.get(nodeId)
    if (frame === undefined) return
    // Line and column together tell apart same-named functions of one file.
    const key = `${frame.functionName}\u0000${frame.url}:${frame.lineNumber}:${frame.columnNumber}`
    const entry = selfUsByFunction.get(key) ?? { frame, selfUs: 0 }
    entry.selfUs += Math.max(0, nextTimeUs - sampleTimeUs)
    selfUsByFunction.set(key, entry)
  })
  const totalUs = [...selfUsByFunction.values()].reduce((sum, entry) => sum + entry.selfUs, 0)
  return [...selfUsByFunction.values()]
    .map(({ frame, selfUs }) => ({
      functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName,
      location: locationOf(frame),
      selfMs: selfUs / 1000,
      share: totalUs === 0 ? 0 : selfUs / totalUs,
    }))
    .sort((a, b) => b.selfMs - a.selfMs)
}

function summarise(file: string, top: number): void {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 .cpuprofile`)
  const times = selfTimes(parsed)
  const totalMs = times.reduce((sum, time) => sum + time.selfMs, 0)
  process.stdout.write(`${file}: ${totalMs.toFixed(0)} ms sampled\n`)
  process.stdout.write('self_ms  self_%  function  location\n')
  for (const time of times.slice(0, top)) {
    const share = (time.share * 100).toFixed(1).padStart(5)
    process.stdout.write(`${time.selfMs.toFixed(1).padStart(7)}  ${share}%  ${time.functionName}  ${time.location}\n`)
  }
}

/** One summary per file: with `--import tsx` Node writes a second profile for the loader thread. */
function main(args: readonly string[]): void {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: { top: { type: 'string', default: '10' } } })
  const top = Number(values.top)
  if (positionals.length === 0 || !Number.isInteger(top) || top < 1) {
    process.stderr.write('usage: npx tsx test/bench/profile-summary.ts [--top N] FILE.cpuprofile...\n')
    process.exitCode = 2
    return
  }
  for (const file of positionals) summarise(file, top)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2))
