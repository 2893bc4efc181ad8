/**
 * Runs the benchmark workloads, each in its own Node process so that its peak RSS is its own,
 * and forwards each workload's one JSON line to stdout. Exits non-zero if any workload fails.
 *
 * @example
 * // npm run bench                      every workload in test/bench/workloads/
 * // npm run bench -- log-append        only the named ones
 * // TRIBUTARY_BENCH_SCALE=0.05 npm run bench
 */
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const workloadsDir = new URL('./workloads/', import.meta.url)
const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

const knownWorkloads = readdirSync(workloadsDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort()

const requested = process.argv.slice(2)
const unknown = requested.filter((name) => !knownWorkloads.includes(name))
if (unknown.length > 0) {
  process.stderr.write(`unknown workload(s): ${unknown.join(', ')}; known: ${knownWorkloads.join(', ')}\n`)
  process.exit(2)
}

const failed: string[] = []
for (const workload of requested.length > 0 ? requested : knownWorkloads) {
  if (!(await runChild(workload))) failed.push(workload)
}
if (failed.length > 0) {
  process.stderr.write(`failed: ${failed.join(', ')}\n`)
  process.exitCode = 1
}

/** True when the child exited 0 and printed exactly one result line for `workload`. */
async function runChild(workload: string): Promise<boolean> {
  process.stderr.write(`running ${workload}…\n`)
  // cwd is the repo root so that `--import tsx` resolves this project's tsx.
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`${workload}.ts`, workloadsDir))], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  let resultLines = 0
  for await (const line of createInterface({ input: child.stdout })) {
    if (isResultLine(line, workload)) {
      resultLines++
      process.stdout.write(`${line}\n`)
    } else {
      // Keep stdout to result lines only; anything else the child printed goes to stderr.
      process.stderr.write(`${workload} stdout: ${line}\n`)
    }
  }
  const { code, signal } = await exited
  if (code === 0 && resultLines === 1) return true
  process.stderr.write(`${workload}: exit ${signal ?? code}, ${resultLines} result line(s)\n`)
  return false
}

function isResultLine(line: string, workload: string): boolean {
  try {
    const parsed: unknown = JSON.parse(line)
    return typeof parsed === 'object' && parsed !== null && 'workload' in parsed && parsed.workload === workload
  } catch {
    return false
  }
}
