/**
 * A running crash-test child (append-child, eos-child, the Kafka count child): its stdout as lines, and a way to wait
 * for a line (never for time). Each kind of child reads the lines it cares about in `onLine`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAck, type Ack } from './workload.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const REPO_ROOT = path.resolve(HERE, '../..')

export interface ChildExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export abstract class LineChild {
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<ChildExit>
  private readonly process: ChildProcess
  private partial = ''
  private waiters: { condition: () => boolean; resolve: (met: boolean) => void }[] = []
  private hasExited = false

  /**
   * Runs `node --import tsx test/crash/<file> ...args` from the repository root (`../kafka/<file>`
   * reaches test/kafka), with `env` added to this process's environment.
   */
  protected constructor(file: string, args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    this.process = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, file), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    })
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk))
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk
    })
    // 'close' comes after the pipes are drained: every line the child wrote has been seen.
    this.exited = new Promise((resolve) => {
      this.process.on('close', (code, signal) => {
        this.hasExited = true
        if (this.partial !== '') this.receiveLine(this.partial)
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
    this.signal('SIGKILL')
  }

  /** Sends a signal (SIGTERM to stop, SIGSTOP and SIGCONT to pause and resume) unless the child has ended. */
  signal(signal: NodeJS.Signals): void {
    if (!this.hasExited) this.process.kill(signal)
  }

  /** Called for every line, after it is in `lines` and before the waiters are checked. */
  protected abstract onLine(line: string): void

  private onStdout(chunk: string): void {
    const parts = (this.partial + chunk).split('\n')
    this.partial = parts.pop() ?? ''
    for (const line of parts) this.receiveLine(line)
  }

  private receiveLine(line: string): void {
    this.lines.push(line)
    this.onLine(line)
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.condition()) return true
      waiter.resolve(true)
      return false
    })
  }
}

/** A running append-child: the acknowledged sends, recoveries and start sequence it reported. */
export class AppendChild extends LineChild {
  readonly acks: Ack[] = []
  /** `recovered <partition> <truncatedBytes>` lines: what the child's own open cut. */
  readonly recoveries: { partition: number; truncatedBytes: number }[] = []
  /** The sequence the child continued from (`ready <n>`), once it said so. */
  readySequence: number | undefined

  constructor(dataDir: string, readonly runId: number, seed: number) {
    super('append-child.ts', [dataDir, String(runId), String(seed)])
  }

  protected onLine(line: string): void {
    const ack = parseAck(line, this.runId)
    if (ack !== undefined) this.acks.push(ack)
    const recovered = /^recovered (\d+) (\d+)$/.exec(line)
    if (recovered !== null) this.recoveries.push({ partition: Number(recovered[1]), truncatedBytes: Number(recovered[2]) })
    const ready = /^ready (\d+)$/.exec(line)
    if (ready !== null) this.readySequence = Number(ready[1])
  }
}
