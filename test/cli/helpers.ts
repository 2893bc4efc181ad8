import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'
import { main } from '../../core/cli/main.js'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BINARY = path.join(REPO_ROOT, 'core/cli/tributary.js')

/** A fresh temporary directory for this test, removed when the test finishes. */
export function temporaryDirectory(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-cli-'))
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A data directory path inside a fresh temporary directory (not created: the log creates it). */
export function temporaryDataDir(): string {
  return path.join(temporaryDirectory(), 'data')
}

/** An in-memory Writable that keeps what was written and tells when some text has arrived. */
export class CapturedOutput extends Writable {
  private chunks: string[] = []
  private waiters: { predicate: (text: string) => boolean; resolve: () => void }[] = []

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))
    const text = this.text()
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.predicate(text)) return true
      waiter.resolve()
      return false
    })
    callback()
  }

  text(): string {
    return this.chunks.join('')
  }

  lines(): string[] {
    const text = this.text()
    return text === '' ? [] : text.replace(/\n$/, '').split('\n')
  }

  /** Resolves once everything written so far satisfies `predicate`. */
  until(predicate: (text: string) => boolean): Promise<void> {
    if (predicate(this.text())) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }))
  }
}

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** What stdin holds (it then ends); default empty. */
  readonly stdin?: string | Readable
  readonly signal?: AbortSignal
  readonly stdout?: CapturedOutput
}

/** Runs `main` in-process with in-memory streams. */
export async function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const stdin = options.stdin instanceof Readable ? options.stdin : Readable.from([options.stdin ?? ''])
  const stdout = options.stdout ?? new CapturedOutput()
  const stderr = new CapturedOutput()
  const code = await main(args, {
    stdin,
    stdout,
    stderr,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
  return { code, stdout: stdout.text(), stderr: stderr.text() }
}

/** A running `tributary` child process, with its output so far. */
export interface BinaryProcess {
  readonly child: ChildProcessWithoutNullStreams
  readonly stdout: CapturedOutput
  readonly stderr: CapturedOutput
  /** Resolves when the process has exited, with everything it wrote. */
  readonly exited: Promise<CliRun>
}

/** Starts the real `tributary` binary as a child process. */
export function startBinary(args: readonly string[]): BinaryProcess {
  const child = spawn(process.execPath, [BINARY, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  const stdout = new CapturedOutput()
  const stderr = new CapturedOutput()
  child.stdout.pipe(stdout)
  child.stderr.pipe(stderr)
  child.stdin.on('error', () => {}) // a child that exits early closes its stdin; its exit code tells
  const exited = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      resolve({ code: code ?? (signal === null ? -1 : 128), stdout: stdout.text(), stderr: stderr.text() })
    })
  })
  return { child, stdout, stderr, exited }
}

/** Runs the real `tributary` binary to its end, feeding `stdin`. */
export function runBinary(args: readonly string[], stdin = ''): Promise<CliRun> {
  const running = startBinary(args)
  running.child.stdin.end(stdin)
  return running.exited
}
