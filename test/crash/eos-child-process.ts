/**
 * A running eos-child: its stdout as lines, the transactions it reported committed, and a way
 * to wait for a line (never for time).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildExit } from './child-process.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REPO_ROOT = path.resolve(HERE, '../..')
const CHILD_FILE = path.join(HERE, 'eos-child.ts')

export class EosChild {
  readonly lines: string[] = []
  /** Transactions the child committed (`commit <id> <records>` lines) and the records they held. */
  commits = 0
  committedRecords = 0
  stderr = ''
  readonly exited: Promise<ChildExit>
  private readonly process: ChildProcess
  private partial = ''
  private waiters: { condition: () => boolean; resolve: (met: boolean) => void }[] = []
  private hasExited = false

  constructor(dataDir: string) {
    this.process = spawn(process.execPath, ['--import', 'tsx', CHILD_FILE, dataDir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk))
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
    })
    // 'close' comes after the pipes are drained: every line the child wrote has been seen.
    this.exited = new Promise((resolve) => {
      this.process.on('close', (code, signal) => {
        this.hasExited = true
        if (this.partial !== '') this.onLine(this.partial)
        this.partial = ''
        for (const waiter of this.waiters) waiter.resolve(false)
        this.waiters = []
        resolve({ code, signal })
      })
    })
  }

  has(line: string): boolean {
    return this.lines.includes(line)
  }

  /** Resolves true once `condition` holds (checked after every line), false if the child ends first. */
  waitUntil(condition: () => boolean): Promise<boolean> {
    if (condition()) return Promise.resolve(true)
    if (this.hasExited) return Promise.resolve(false)
    return new Promise((resolve) => this.waiters.push({ condition, resolve }))
  }

  kill(): void {
    if (!this.hasExited) this.process.kill('SIGKILL')
  }

  private onStdout(chunk: string): void {
    const parts = (this.partial + chunk).split('\n')
    this.partial = parts.pop() ?? ''
    for (const line of parts) this.onLine(line)
  }

  private onLine(line: string): void {
    this.lines.push(line)
    const commit = /^commit \S+ (\d+)$/.exec(line)
    if (commit !== null) {
      this.commits++
      this.committedRecords += Number(commit[1])
    }
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.condition()) return true
      waiter.resolve(true)
      return false
    })
  }
}
