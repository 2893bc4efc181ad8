/**
 * Compares three npm RocksDB bindings on the same operations: `rocksdb-native` (Holepunch, the
 * one this project uses), `rocksdb` (Level, discontinued) and `@nxtedition/rocksdb`. The two that
 * are not project dependencies are installed on demand, at pinned versions, into
 * `test/bench/.bindings/` (git-ignored); package.json is not touched. Each binding runs in its
 * own Node process (`rocksdb-bindings/worker.ts`), so its peak RSS is its own, and each prints one
 * JSON line per operation, forwarded here to stdout. A binding that cannot be installed or loaded
 * gets one line saying so, and the others still run. Exits non-zero if any binding failed.
 *
 * Not part of `npm run bench`: it downloads packages.
 *
 * @example
 * // npx tsx test/bench/rocksdb-bindings.ts                     all three, N = 1,000,000
 * // BENCH_SCALE=0.05 npx tsx test/bench/rocksdb-bindings.ts    a quick check
 * // npx tsx test/bench/rocksdb-bindings.ts rocksdb-native      only the named ones
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../../core/errors.js'
import { benchScale } from './report.js'
import { bindingIds, bindingPackages, isBindingId, type BindingId } from './rocksdb-bindings/adapters.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const bindingsDir = fileURLToPath(new URL('./.bindings/', import.meta.url))
const workerPath = fileURLToPath(new URL('./rocksdb-bindings/worker.ts', import.meta.url))

const requested = process.argv.slice(2)
const unknown = requested.filter((name) => !isBindingId(name))
if (unknown.length > 0) {
  process.stderr.write(`unknown binding(s): ${unknown.join(', ')}; known: ${bindingIds.join(', ')}\n`)
  process.exit(2)
}
const selected: readonly BindingId[] = requested.length > 0 ? requested.filter(isBindingId) : bindingIds
const scale = scaleFromEnv()

const installErrors = installMissing(selected)
const failed: BindingId[] = []
for (const id of selected) {
  const installError = installErrors.get(id)
  if (installError !== undefined) {
    printLine({ workload: `rocksdb-binding/${id}/install`, status: 'unavailable', package: bindingPackages[id].name, error: installError })
    failed.push(id)
  } else if (!(await runWorker(id))) {
    failed.push(id)
  }
}
if (failed.length > 0) {
  process.stderr.write(`failed or unavailable: ${failed.join(', ')}\n`)
  process.exitCode = 1
}

/** `BENCH_SCALE`, else the house `TRIBUTARY_BENCH_SCALE`, else 1. */
function scaleFromEnv(): number {
  const text = process.env['BENCH_SCALE']
  if (text === undefined || text === '') return benchScale()
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError('BENCH_SCALE', `must be a positive number, got "${text}"`)
  return value
}

/**
 * Installs the pinned external bindings unless all of them are already in `test/bench/.bindings/`
 * at their pinned versions (all at once: `--no-save` into a folder without package.json prunes
 * whatever the command does not name). `--ignore-scripts`: both packages' only install script is
 * `node-gyp-build`, which finds the prebuilt addon they ship for linux-x64 (and darwin) or else
 * compiles RocksDB from source; a missing prebuild then shows as a load error instead.
 * Returns the install error for each binding it could not install.
 */
function installMissing(ids: readonly BindingId[]): Map<BindingId, string> {
  const errors = new Map<BindingId, string>()
  const external = bindingIds.filter((id) => bindingPackages[id].pinned !== null)
  if (!ids.some((id) => external.includes(id))) return errors
  if (external.every((id) => installedVersion(id) === bindingPackages[id].pinned)) return errors

  const specs = external.map((id) => `${bindingPackages[id].name}@${bindingPackages[id].pinned}`)
  const args = ['install', '--prefix', bindingsDir, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', ...specs]
  process.stderr.write(`installing ${specs.join(' ')} into ${bindingsDir}…\n`)
  mkdirSync(bindingsDir, { recursive: true })
  const npm = spawnSyncText('npm', args)
  for (const id of external) {
    if (installedVersion(id) === bindingPackages[id].pinned) continue
    errors.set(id, npm.ok ? `npm install finished but ${bindingPackages[id].name}@${bindingPackages[id].pinned} is not in ${bindingsDir}` : npm.error)
  }
  return errors
}

function installedVersion(id: BindingId): string | undefined {
  const manifest = join(bindingsDir, 'node_modules', bindingPackages[id].name, 'package.json')
  if (!existsSync(manifest)) return undefined
  try {
    const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'))
    return typeof parsed === 'object' && parsed !== null && 'version' in parsed && typeof parsed.version === 'string'
      ? parsed.version
      : undefined
  } catch {
    return undefined
  }
}

/** Runs a command with its output on our stderr (stdout stays result lines only). */
function spawnSyncText(command: string, args: readonly string[]): { ok: true } | { ok: false; error: string } {
  // Synchronous on purpose: nothing else runs until the bindings are there.
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: ['ignore', 2, 'pipe'], encoding: 'utf8' })
  if (result.stderr) process.stderr.write(result.stderr)
  if (result.error) return { ok: false, error: `${command}: ${result.error.message}` }
  if (result.status !== 0) {
    // npm puts the cause (code, errno, the failed request) first and advice after it.
    const head = (result.stderr ?? '').trim().split('\n').slice(0, 4).join(' | ')
    return { ok: false, error: `${command} ${args[0] ?? ''} exited ${result.status ?? result.signal}: ${head}` }
  }
  return { ok: true }
}

/** True when the worker exited 0 with no failure line. */
async function runWorker(id: BindingId): Promise<boolean> {
  process.stderr.write(`running ${id}…\n`)
  // The worker's temp DB dirs go under a dir of ours (its TMPDIR), removed even if the worker crashes.
  const workerTmp = mkdtempSync(join(tmpdir(), `tributary-bench-rocksdb-${id}-`))
  try {
    return await superviseWorker(id, workerTmp)
  } finally {
    rmSync(workerTmp, { recursive: true, force: true })
  }
}

async function superviseWorker(id: BindingId, workerTmp: string): Promise<boolean> {
  // cwd is the repo root so that `--import tsx` resolves this project's tsx.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', workerPath, id, bindingsDir], {
    cwd: repoRoot,
    env: { ...process.env, BENCH_SCALE: String(scale), TMPDIR: workerTmp },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal }))
  })
  const prefix = `rocksdb-binding/${id}/`
  let failureLines = 0
  for await (const line of createInterface({ input: child.stdout })) {
    const parsed = parseLine(line)
    if (parsed !== undefined && typeof parsed['workload'] === 'string' && parsed['workload'].startsWith(prefix)) {
      if ('error' in parsed) failureLines++
      process.stdout.write(`${line}\n`)
    } else {
      process.stderr.write(`${id} stdout: ${line}\n`)
    }
  }
  const { code, signal } = await exited
  if (code === 0 && failureLines === 0) return true
  if (failureLines === 0) {
    // It died without saying why (a crash in the addon, say): one line so the gap is visible.
    printLine({ workload: `rocksdb-binding/${id}`, status: 'failed', package: bindingPackages[id].name, error: `worker exited ${signal ?? code}` })
  }
  return false
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function printLine(line: Readonly<Record<string, string>>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}
