import type { SourceNode } from './topology.js'

/**
 * The commit position of one input partition of a task. Offsets are pushed in order; async
 * work on a record holds the position at that record until it ends. `committable` is the
 * offset after everything fully processed — the commit invariant's line.
 */
export class PartitionTracker {
  readonly key: string
  private nextOffset: number | undefined
  /** offset → async work still running for it. */
  private readonly running = new Map<number, number>()
  /** Offsets with running work, ascending. */
  private readonly order: number[] = []

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly source: SourceNode,
  ) {
    this.key = `${topic}:${partition}`
  }

  pushed(offset: number): void {
    this.nextOffset = offset + 1
  }

  begin(offset: number): void {
    const count = this.running.get(offset) ?? 0
    if (count === 0) {
      // Usually the newest offset; work started late for an older record is placed in order.
      let at = this.order.length
      while (at > 0 && this.order[at - 1]! > offset) at--
      this.order.splice(at, 0, offset)
    }
    this.running.set(offset, count + 1)
  }

  end(offset: number): void {
    const count = (this.running.get(offset) ?? 1) - 1
    if (count > 0) this.running.set(offset, count)
    else this.running.delete(offset)
    while (this.order.length > 0 && !this.running.has(this.order[0]!)) this.order.shift()
  }

  /** The next offset to commit, or undefined when nothing was processed yet. */
  committable(): number | undefined {
    if (this.order.length > 0) return this.order[0]
    return this.nextOffset
  }
}
