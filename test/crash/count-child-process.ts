/**
 * A running count-child: its stdout as lines (see LineChild), and the commits it reported.
 */
import { LineChild } from './child-process.js'
import type { Processing } from './count-workload.js'

export class CountChild extends LineChild {
  /** The app's commits so far, from its latest `commits <n>` line. */
  commits = 0

  /** `env`: what the child's environment adds (TRIBUTARY_CRASH_AT, for the crash-point suite). */
  constructor(dataDir: string, stateDir: string, processing: Processing, cacheMaxBytes: number, env: Readonly<Record<string, string>> = {}) {
    super('count-child.ts', [dataDir, stateDir, processing, String(cacheMaxBytes)], env)
  }

  protected onLine(line: string): void {
    const commits = /^commits (\d+)$/.exec(line)
    if (commits !== null) this.commits = Number(commits[1])
  }
}
