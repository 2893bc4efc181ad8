/**
 * One fuzzing campaign: Jazzer.js runs a target for a fixed number of inputs from a fixed seed,
 * starting from the target's seeds and its regression inputs, in a scratch directory that is
 * removed afterwards (libFuzzer adds the inputs that found new coverage to its corpus directory,
 * and writes a crashing input beside it). The result carries libFuzzer's own figures: inputs
 * executed, `cov` (coverage points: edges of our instrumented code hit) and `ft` (features:
 * edges with hit counts, and comparisons), and the crashing input when there is a finding.
 *
 * @example
 * const campaign = await runCampaign(prepareJazzer(), FUZZ_TARGETS[0]!, { runs: 20_000, seed: 7 })
 * if (campaign.finding !== undefined) console.log(campaign.finding.input.toString('hex'))
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { JazzerRuntime } from './jazzer-runtime.js'
import { REPO_ROOT } from './jazzer-runtime.js'
import { fillSandbox, SANDBOX_SECRET, SECRET_VARIABLE } from './targets/sandbox.js'
import type { FuzzTarget } from './targets/index.js'

/** Where each target's regression inputs live (one raw input a file), fed to every campaign. */
export const REGRESSIONS_DIR = path.join(import.meta.dirname, 'regressions')
/** Where a finding's input is kept after its campaign's scratch directory is gone. */
const FINDINGS_DIR = path.join(REPO_ROOT, '.cache', 'coverage-fuzz', 'findings')
/** The code Jazzer instruments: ours only (not node_modules, not the targets themselves). */
const INSTRUMENTED = [path.join(REPO_ROOT, 'core') + path.sep, path.join(REPO_ROOT, 'connectors') + path.sep]
/** One input running longer than this is a finding (a hang). */
const INPUT_TIMEOUT_MS = 10_000
const MAX_INPUT_BYTES = 4096

export interface CampaignOptions {
  /** Inputs to execute. */
  readonly runs: number
  /** libFuzzer's random seed. */
  readonly seed: number
  /** The campaign is killed after this long, and that is a finding (default 10 minutes). */
  readonly wallClockLimitMs?: number
  /**
   * libFuzzer's out-of-memory limit on the whole process (default its own, 2048). Under Jazzer.js
   * the process grows by about 1 KB per input in long campaigns (record-batch: flat at 244 MB to
   * 260,000 inputs, 777 MB at 790,000) while the same target replaying mutated inputs in plain
   * Node stays flat, so a run of millions of inputs needs more.
   */
  readonly rssLimitMb?: number
}

export interface Finding {
  /** The input that crashed, hung or broke an invariant. */
  readonly input: Buffer
  /** Jazzer's report: the error, its stack. */
  readonly report: string
  /** A copy of the input under .cache, to move into regressions/<target>/ once understood. */
  readonly kept: string
}

export interface Campaign {
  readonly target: string
  /** Inputs executed (libFuzzer's `#N`). */
  readonly runs: number
  /** Coverage points (`cov:`) and features (`ft:`) at the end. */
  readonly cov: number
  readonly ft: number
  /** Inputs in the corpus at the end. */
  readonly corpus: number
  /** Inputs the campaign started from (seeds and regressions). */
  readonly seeds: number
  readonly seconds: number
  readonly finding: Finding | undefined
}

interface TargetModule {
  seeds(): Buffer[]
  /** Words worth trying in inputs (field names, keywords), for libFuzzer's -dict. */
  dictionary?(): string[]
}

/**
 * Runs `target` under Jazzer; resolves when it ends (a finding is part of the result, not an error).
 *
 * @example
 * const { runs, cov, ft } = await runCampaign(runtime, target, { runs: 1000, seed: 1 })
 */
export async function runCampaign(runtime: JazzerRuntime, target: FuzzTarget, options: CampaignOptions): Promise<Campaign> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `tributary-coverage-fuzz-${target.name}-`))
  try {
    const corpus = path.join(work, 'corpus')
    const artifacts = path.join(work, 'artifacts')
    const sandbox = path.join(work, 'sandbox')
    for (const dir of [corpus, artifacts, sandbox]) fs.mkdirSync(dir)
    fillSandbox(sandbox)
    const module = (await import(target.file)) as TargetModule
    const seeds = writeSeeds(target, module, corpus)
    const dictionary = module.dictionary === undefined ? undefined : writeDictionary(module.dictionary(), path.join(work, 'dictionary'))
    const started = performance.now()
    const { output, exitCode } = await runJazzer(runtime, target, options, { corpus, artifacts, sandbox, dictionary })
    const seconds = (performance.now() - started) / 1000
    const figures = lastFigures(output)
    const crashed = fs.readdirSync(artifacts)
    let finding: Finding | undefined
    if (exitCode !== 0 || crashed.length > 0) {
      const input = crashed.length > 0 ? fs.readFileSync(path.join(artifacts, crashed[0]!)) : Buffer.alloc(0)
      const kept = crashed[0] === undefined ? 'nowhere (no input: the process ended or was killed between inputs)' : keepFinding(target, crashed[0], input)
      finding = { input, report: reportOf(output, exitCode), kept }
    }
    return { target: target.name, ...figures, seeds, seconds, finding }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

function keepFinding(target: FuzzTarget, name: string, input: Buffer): string {
  const file = path.join(FINDINGS_DIR, target.name, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, input)
  return file
}

function writeSeeds(target: FuzzTarget, module: TargetModule, corpus: string): number {
  const inputs = module.seeds()
  const regressions = path.join(REGRESSIONS_DIR, target.name)
  if (fs.existsSync(regressions)) for (const name of fs.readdirSync(regressions).sort()) inputs.push(fs.readFileSync(path.join(regressions, name)))
  inputs.forEach((input, index) => fs.writeFileSync(path.join(corpus, `seed-${String(index).padStart(3, '0')}`), input))
  return inputs.length
}

/** libFuzzer's dictionary format: one quoted word a line, bytes outside printable ASCII as \xNN. */
function writeDictionary(words: readonly string[], file: string): string {
  const quoted = (word: string): string =>
    [...Buffer.from(word)].map((byte) => (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('')
  fs.writeFileSync(file, words.map((word) => `"${quoted(word)}"\n`).join(''))
  return file
}

function runJazzer(
  runtime: JazzerRuntime, target: FuzzTarget, options: CampaignOptions,
  dirs: { corpus: string; artifacts: string; sandbox: string; dictionary: string | undefined },
): Promise<{ output: string; exitCode: number | null }> {
  const args = [
    ...runtime.nodeArgs,
    target.file.replace(/\.ts$/, '.js'), // tsx maps it back to the .ts; Jazzer insists on a .js name
    dirs.corpus,
    ...(target.sync ? ['--sync'] : []),
    ...INSTRUMENTED.flatMap((prefix) => ['--includes', prefix]),
    '--timeout', String(INPUT_TIMEOUT_MS),
    '--',
    `-runs=${options.runs}`,
    `-seed=${options.seed}`,
    `-max_len=${target.maxInputBytes ?? MAX_INPUT_BYTES}`,
    ...(dirs.dictionary === undefined ? [] : [`-dict=${dirs.dictionary}`]),
    `-rss_limit_mb=${options.rssLimitMb ?? 2048}`,
    '-reload=0', // no rereading of the corpus directory every second: runs stay deterministic
    `-artifact_prefix=${dirs.artifacts}${path.sep}`,
  ]
  const env = { ...process.env, ...runtime.env, TRIBUTARY_FUZZ_SANDBOX: dirs.sandbox, [SECRET_VARIABLE]: SANDBOX_SECRET }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk))
    const limitMs = options.wallClockLimitMs ?? 10 * 60_000
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\ncoverage-fuzz: the campaign ran past ${limitMs} ms and was killed\n`))
      child.kill('SIGKILL')
    }, limitMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ output: Buffer.concat(chunks).toString('utf8'), exitCode: code })
    })
  })
}

/** libFuzzer's figures from its last status line (`#40000 DONE cov: 301 ft: 1204 corp: 180/9kb …`). */
function lastFigures(output: string): Pick<Campaign, 'runs' | 'cov' | 'ft' | 'corpus'> {
  const last = [...output.matchAll(/^#(\d+)\s+\w+\s+(?:cov: (\d+) ft: (\d+) )?corp: (\d+)\//gm)].at(-1)
  const done = /^Done (\d+) runs/m.exec(output)
  const runs = Math.max(Number(last?.[1] ?? 0), Number(done?.[1] ?? 0))
  if (last === undefined) return { runs, cov: 0, ft: 0, corpus: 0 }
  return { runs, cov: Number(last[2] ?? 0), ft: Number(last[3] ?? 0), corpus: Number(last[4]) }
}

/** What Jazzer said about a finding: from its first error line on, without the corpus chatter. */
function reportOf(output: string, exitCode: number | null): string {
  const lines = output.split('\n').filter((line) => !/^#\d+\s/.test(line) && !line.startsWith('INFO:'))
  const first = lines.findIndex((line) => /==\d+==|Error|Uncaught|timeout|Invariant|killed/i.test(line))
  return [`exit code ${String(exitCode)}`, ...lines.slice(Math.max(0, first), first + 60)].join('\n')
}
