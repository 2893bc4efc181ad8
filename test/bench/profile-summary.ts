/**
 * Summarises a V8 `.cpuprofile` by self time: the functions where the CPU actually was.
 * `--within NAME` counts only samples with a function of that name on the stack, to look
 * at one phase of a workload (for example `readAll` in log-consume). After an `await`,
 * V8's stack starts at the resumed function, so work resumed inside a callee is missed.
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
  readonly children?: readonly number[]
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
  /**
   * The longest single sample: while the main thread blocks in a system call (an fsync) the
   * sampler records nothing, and the whole wait lands on the JS frame that made the call.
   */
  readonly longestSampleMs: number
}

/** A single sample this long is a blocking call rather than CPU work; the summary says so. */
const blockingSampleMs = 20

const repoRootUrl = new URL('../../', import.meta.url).href

function isCpuProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false
  return ['nodes', 'samples', 'timeDeltas'].every((field) => field in value && Array.isArray(Reflect.get(value, field)))
}

function locationOf(frame: CallFrame): string {
  if (frame.url === '') return ''
  const path = frame.url.startsWith(repoRootUrl) ? frame.url.slice(repoRootUrl.length) : frame.url
  // lineNumber is zero-based and counts lines of the code V8 ran: tsx minifies whitespace, so
  // each .ts file reaches V8 as one line and there only the file is worth showing.
  return frame.lineNumber > 0 ? `${path}:${frame.lineNumber + 1}` : path
}

/** Ids of the nodes that have a function named `name` on their stack (themselves included). */
function nodesWithin(profile: CpuProfile, name: string): Set<number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const within = new Set<number>()
  const mark = (id: number): void => {
    within.add(id)
    for (const child of byId.get(id)?.children ?? []) mark(child)
  }
  for (const node of profile.nodes) if (node.callFrame.functionName === name && !within.has(node.id)) mark(node.id)
  return within
}

/**
 * Self time per function (nodes with the same name and source position are one function),
 * over the samples `counted` accepts. A sample lasts until the next one, as DevTools counts it.
 */
export function selfTimes(profile: CpuProfile, counted: (nodeId: number) => boolean = () => true): SelfTime[] {
  const frameById = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const selfUsByFunction = new Map<string, { frame: CallFrame; selfUs: number; longestUs: number }>()
  let sampleTimeUs = profile.startTime
  profile.samples.forEach((nodeId, index) => {
    sampleTimeUs += profile.timeDeltas[index] ?? 0
    const durationUs = profile.timeDeltas[index + 1] ?? profile.endTime - sampleTimeUs
    const frame = frameById.get(nodeId)
    if (frame === undefined || !counted(nodeId)) return
    // Line and column together tell apart same-named functions of one file.
    const key = `${frame.functionName}\u0000${frame.url}:${frame.lineNumber}:${frame.columnNumber}`
    const entry = selfUsByFunction.get(key) ?? { frame, selfUs: 0, longestUs: 0 }
    entry.selfUs += Math.max(0, durationUs)
    entry.longestUs = Math.max(entry.longestUs, durationUs)
    selfUsByFunction.set(key, entry)
  })
  const totalUs = [...selfUsByFunction.values()].reduce((sum, entry) => sum + entry.selfUs, 0)
  return [...selfUsByFunction.values()]
    .map(({ frame, selfUs, longestUs }) => ({
      functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName,
      location: locationOf(frame),
      selfMs: selfUs / 1000,
      share: totalUs === 0 ? 0 : selfUs / totalUs,
      longestSampleMs: longestUs / 1000,
    }))
    .sort((a, b) => b.selfMs - a.selfMs)
}

function summarise(file: string, top: number, within: string | undefined): void {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 .cpuprofile`)
  const withinIds = within === undefined ? undefined : nodesWithin(parsed, within)
  const times = selfTimes(parsed, withinIds === undefined ? undefined : (nodeId) => withinIds.has(nodeId))
  const totalMs = times.reduce((sum, time) => sum + time.selfMs, 0)
  process.stdout.write(`${file}: ${totalMs.toFixed(0)} ms sampled${within === undefined ? '' : ` within ${within}`}\n`)
  process.stdout.write('self_ms  self_%  function  location\n')
  for (const time of times.slice(0, top)) {
    const share = (time.share * 100).toFixed(1).padStart(5)
    const blocking = time.longestSampleMs >= blockingSampleMs ? `  (one sample of ${time.longestSampleMs.toFixed(0)} ms: a blocking call)` : ''
    process.stdout.write(`${time.selfMs.toFixed(1).padStart(7)}  ${share}%  ${time.functionName}  ${time.location}${blocking}\n`)
  }
}

/** One summary per file: with `--import tsx` Node writes a second profile for the loader thread. */
function main(args: readonly string[]): void {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: { top: { type: 'string', default: '10' }, within: { type: 'string' } },
  })
  const top = Number(values.top)
  if (positionals.length === 0 || !Number.isInteger(top) || top < 1) {
    process.stderr.write('usage: npx tsx test/bench/profile-summary.ts [--top N] [--within FUNCTION] FILE.cpuprofile...\n')
    process.exitCode = 2
    return
  }
  for (const file of positionals) summarise(file, top, values.within)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2))
