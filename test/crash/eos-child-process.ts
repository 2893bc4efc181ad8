/**
 * A running eos-child: its stdout as lines (see LineChild), and the transactions it reported
 * committed.
 */
import { LineChild } from './child-process.js'

export class EosChild extends LineChild {
  /** Transactions the child committed (`commit <id> <records>` lines) and the records they held. */
  commits = 0
  committedRecords = 0

  constructor(dataDir: string) {
    super('eos-child.ts', [dataDir])
  }

  protected onLine(line: string): void {
    const commit = /^commit \S+ (\d+)$/.exec(line)
    if (commit !== null) {
      this.commits++
      this.committedRecords += Number(commit[1])
    }
  }
}
