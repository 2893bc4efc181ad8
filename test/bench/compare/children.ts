/**
 * Runs one timed run as a child process and reads back its one JSON line: Kafka Streams (the
 * anchor jar, on a JVM) or Tributary (`tributary-child.ts`, on Node). Every other line of the
 * child's stdout, and all of its stderr, goes to this process's stderr.
 *
 * @example
 * const run = await runKafkaStreams({ jar, bootstrap, query: 'q1', processing: 'exactly_once', appId: 'ks-q1-eos', output: 'ks-q1-eos', stateDir })
 * console.log(run.seconds)
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { runPlanVariable, type TributaryRunPlan } from './run-plan.js'
import type { Processing, QueryName } from './queries.js'

/** What a run reports. */
export interface TimedRun {
  readonly eventsRead: number
  readonly seconds: number
}

/** How much of a child's stderr is kept for its failure (chunks, not lines). */
const stderrTailChunks = 40
const tributaryChildScript = fileURLToPath(new URL('./tributary-child.ts', import.meta.url))
/** Where `--import tsx` resolves this project's tsx. */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

export interface KafkaStreamsPlan {
  readonly jar: string
  readonly bootstrap: string
  readonly query: QueryName
  readonly processing: Processing
  readonly appId: string
  readonly output: string
  readonly stateDir: string
}

/**
 * One Kafka Streams run: `java -jar` the anchor with the plan as its flags.
 *
 * @example
 * const { seconds } = await runKafkaStreams({ jar, bootstrap, query: 'copy', processing: 'at_least_once', appId: 'ks-copy', output: 'ks-copy', stateDir })
 */
export function runKafkaStreams(plan: KafkaStreamsPlan): Promise<TimedRun> {
  const args = ['-jar', plan.jar, '--bootstrap', plan.bootstrap, '--query', plan.query, '--processing', plan.processing, '--app-id', plan.appId, '--output', plan.output, '--state-dir', plan.stateDir]
  return runChild(`kafka-streams ${plan.query} ${plan.processing}`, 'java', args, process.env)
}

/**
 * One Tributary run: `tributary-child.ts` on Node with the plan in its environment.
 *
 * @example
 * const { seconds } = await runTributary({ log: { kafka: bootstrap }, query: 'q1', processing: 'exactly_once', appId: 'tributary-q1', output: 'tributary-q1', stateDir, partitions: 1 })
 */
export function runTributary(plan: TributaryRunPlan): Promise<TimedRun> {
  const backend = 'kafka' in plan.log ? 'kafka' : 'embedded'
  return runChild(`tributary-${backend} ${plan.query} ${plan.processing}`, process.execPath, [...TRIBUTARY_NODE_FLAGS, ...extraNodeFlags(), '--import', 'tsx', tributaryChildScript], { ...process.env, [runPlanVariable]: JSON.stringify(plan) })
}

/**
 * The Node flags of a Tributary run, as the README's tuning advice has them: a young generation
 * of 64 MB a semi-space instead of Node's 16 MB (the JVM sizes Kafka Streams' young generation
 * from the machine's memory on its own). Nexmark q7 on the embedded log, 3,000,000 events: 24-25 s
 * -> 21-22 s; q5, 1,000,000: 23.3-23.8 s -> 21.1-21.2 s; q1 unchanged.
 */
export const TRIBUTARY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64']

/**
 * More Node flags for the Tributary children, from `TRIBUTARY_COMPARE_NODE_FLAGS` (split at spaces):
 * for profiling, as `--cpu-prof --cpu-prof-dir=/tmp/prof` (which NODE_OPTIONS does not take).
 */
function extraNodeFlags(): string[] {
  return (process.env['TRIBUTARY_COMPARE_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag.length > 0)
}

async function runChild(label: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<TimedRun> {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  const stopChild = (): void => void child.kill('SIGKILL')
  process.once('exit', stopChild)
  // A JVM and Kafka's clients say a lot on stderr: kept (its tail) for a failure, shown when asked.
  const verbose = process.env['TRIBUTARY_COMPARE_VERBOSE'] === '1'
  const stderrTail: string[] = []
  child.stderr.on('data', (chunk: Buffer) => {
    const text = prefixLines(label, chunk.toString('utf8'))
    if (verbose) process.stderr.write(text)
    else stderrTail.push(text)
    if (stderrTail.length > stderrTailChunks) stderrTail.shift()
  })
  let result: TimedRun | undefined
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const parsed = parseRunLine(line)
      if (parsed !== undefined) result = parsed
      else process.stderr.write(prefixLines(label, `${line}\n`))
    }
    const { code, signal } = await exited
    if (code !== 0 || result === undefined) {
      if (!verbose) process.stderr.write(stderrTail.join(''))
      throw new Error(`${label} failed: exit ${signal ?? code}${result === undefined ? ', no result line' : ''}`)
    }
    return result
  } finally {
    process.removeListener('exit', stopChild)
  }
}

function prefixLines(label: string, text: string): string {
  return text.split('\n').filter((line) => line.length > 0).map((line) => `[${label}] ${line}\n`).join('')
}

function parseRunLine(line: string): TimedRun | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { events_read: eventsRead, seconds } = parsed as Record<string, unknown>
  return typeof eventsRead === 'number' && typeof seconds === 'number' ? { eventsRead, seconds } : undefined
}
