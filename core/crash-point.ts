import fs from 'node:fs'

/**
 * The named places in the log and the commit path where a crash test can have the process die.
 * Each is a moment a crash leaves something half done that recovery must handle.
 */
export const CRASH_POINTS = [
  /** A batch is written to the segment file, not yet fsynced. */
  'segment.append.before-fsync',
  /** A batch is written and fsynced, not yet acknowledged. */
  'segment.append.after-fsync',
  /** A sealed segment's offset index is written, its time index not yet. */
  'segment.roll.between-indexes',
  /** The new active segment exists, its producer snapshot not yet written. */
  'segment.roll.before-snapshot',
  /** A file replaced atomically (topic list, snapshot, checkpoint) is written and synced, not yet renamed into place. */
  'file.replace.before-rename',
  /** A state store's checkpoint (the changelog offsets its local state holds) is written and synced, not yet renamed into place. */
  'state.checkpoint.before-rename',
  /** Compaction's cleaned copy is written, not yet renamed over the segment. */
  'compaction.before-swap',
  /** Retention has removed a segment's data file, not yet its index files. */
  'retention.between-files',
  /** A transaction's commit or abort marker is written to some of its partitions, not all. */
  'transaction.between-markers',
  /** The runtime's outputs are written (at_least_once), the input offsets not yet committed. */
  'commit.before-offsets',
  /** A task's offsets are in its transaction (exactly_once), the transaction not yet committed. */
  'commit.before-transaction-commit',
] as const

export type CrashPointName = (typeof CRASH_POINTS)[number]

/** `TRIBUTARY_CRASH_AT=<name>[@<n>]`: the point, and which time it is reached (default the first). */
const plan = parsePlan(process.env.TRIBUTARY_CRASH_AT)
let hits = 0

/**
 * A named crash point: with `TRIBUTARY_CRASH_AT=<name>[@<n>]` in its environment, the process
 * dies here (SIGKILL, as kill -9 or a power cut would: no handler runs, nothing is flushed) the
 * n-th time it passes; it first writes `tributary crash point <name>` to stderr, synchronously,
 * so the test knows where it died. Without the variable it costs one comparison.
 *
 * @example
 * writeFully(fd, batch, position)
 * crashPoint('segment.append.before-fsync')
 * fs.fdatasyncSync(fd)
 */
export function crashPoint(name: CrashPointName): void {
  if (plan === undefined || plan.name !== name) return
  hits++
  if (hits < plan.at) return
  fs.writeSync(2, `tributary crash point ${name}\n`)
  process.kill(process.pid, 'SIGKILL')
}

function parsePlan(text: string | undefined): { readonly name: CrashPointName; readonly at: number } | undefined {
  if (text === undefined || text === '') return undefined
  const [name = '', at = '1'] = text.split('@')
  if (!(CRASH_POINTS as readonly string[]).includes(name)) throw new Error(`TRIBUTARY_CRASH_AT names no crash point: ${JSON.stringify(name)}; known: ${CRASH_POINTS.join(', ')}`)
  const count = Number(at)
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`TRIBUTARY_CRASH_AT: the count after @ must be a positive integer, got ${JSON.stringify(at)}`)
  return { name: name as CrashPointName, at: count }
}
