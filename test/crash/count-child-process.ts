/**
 * A running count-child: its stdout as lines (see LineChild), and the commits it reported.
 */
import { LineChild } from './child-process.js'
import type { Processing } from './count-workload.js'

export class CountChild extends LineChild {
  /** The app's commits so far, from its latest `commits <n>` line. */
  commits = 0

  constructor(dataDir: string, stateDir: string, processing: Processing, cacheMaxBytes: number) {
    super('count-child.ts', [dataDir, stateDir, processing, String(cacheMaxBytes)])
  }

  protected onLine(line: string): void {
    const commits = /^commits (\d+)$/.exec(line)
    if (commits !== null) this.commits = Number(commits[1])
  }
}
