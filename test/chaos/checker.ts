/**
 * The one oracle of the crash, corruption, fault and bad-input suites (RELIABILITY.md, "The
 * checker"): input records carry (producer, sequence), a plain model says which of them must be
 * in the output and what the state must be, and the checker counts what differs, by class. Every
 * class must be 0; `problems` says where, for a failure's message.
 *
 * @example
 * const report = checkRecords({ expected: [1000, 1000], exactlyOnce: true }, outputsByProducer)
 * expect(report.problems).toEqual([])
 */

/** The checker's classes, as the chaos report prints them. */
export interface CheckCounts {
  /** Records the model requires that the output lacks. */
  readonly lost: number
  /** Records seen more than once where exactly once is promised. */
  readonly duplicated: number
  /** Records visible under read_committed that an aborted (or never committed) transaction wrote. */
  readonly aborted_read: number
  /** Records of one producer read before one that came before them. */
  readonly out_of_order: number
  /** Keys whose state differs from the model (or from the changelog's replay). */
  readonly state_mismatch: number
}

export interface CheckReport extends CheckCounts {
  readonly problems: readonly string[]
}

/** What the model says of the output of one run. */
export interface RecordModel {
  /**
   * Per producer, how many of its records must be in the output: sequences 0 to n - 1 (each
   * producer's records go to one partition, in sequence order).
   */
  readonly expected: readonly number[]
  /** Exactly once (a second copy is a duplicate) or at least once (copies are allowed). */
  readonly exactlyOnce: boolean
  /**
   * Per producer, the sequences the output may hold at most (those whose input offsets were
   * committed): one at or above it was read from a transaction that did not commit. Default:
   * `expected`.
   */
  readonly committed?: readonly number[]
}

const EXAMPLES = 5

/** No difference in any class. */
export const CLEAN: CheckReport = { lost: 0, duplicated: 0, aborted_read: 0, out_of_order: 0, state_mismatch: 0, problems: [] }

/**
 * Compares outputs, as each producer's sequences in the order read, with the model.
 *
 * @example
 * checkRecords({ expected: [3], exactlyOnce: true }, [[0, 2, 2]]) // lost 1, duplicated 1, out_of_order 1
 */
export function checkRecords(model: RecordModel, observed: readonly (readonly number[])[]): CheckReport {
  let lost = 0
  let duplicated = 0
  let abortedRead = 0
  let outOfOrder = 0
  const problems: string[] = []
  const producers = Math.max(model.expected.length, observed.length)
  for (let producer = 0; producer < producers; producer++) {
    const sequences = observed[producer] ?? []
    const expected = model.expected[producer] ?? 0
    const limit = model.committed?.[producer] ?? expected
    const seen = new Set<number>()
    const copies: number[] = []
    const disorders: number[] = []
    const beyond: number[] = []
    let highest = -1
    for (const sequence of sequences) {
      if (seen.has(sequence)) copies.push(sequence)
      // At least once, a redelivered run starts over from an earlier sequence: only a record
      // before the highest that was never seen before is out of order.
      else if (sequence < highest) disorders.push(sequence)
      if (sequence >= limit) beyond.push(sequence)
      seen.add(sequence)
      highest = Math.max(highest, sequence)
    }
    const missing: number[] = []
    for (let sequence = 0; sequence < expected; sequence++) if (!seen.has(sequence)) missing.push(sequence)
    lost += missing.length
    abortedRead += beyond.length
    outOfOrder += disorders.length
    if (model.exactlyOnce) duplicated += copies.length
    if (missing.length > 0) problems.push(`lost: producer ${producer} lacks ${missing.length} of its ${expected} records (${examples(missing)})`)
    if (model.exactlyOnce && copies.length > 0) problems.push(`duplicated: producer ${producer} has ${copies.length} records more than once (${examples(copies)})`)
    if (beyond.length > 0) problems.push(`aborted read: producer ${producer} has ${beyond.length} records past its committed ${limit} (${examples(beyond)})`)
    if (disorders.length > 0) problems.push(`out of order: producer ${producer} has ${disorders.length} records read after a later one (${examples(disorders)})`)
  }
  return { lost, duplicated, aborted_read: abortedRead, out_of_order: outOfOrder, state_mismatch: 0, problems }
}

/**
 * Compares a state (a store read back, the latest value per key of a table or changelog) with the
 * model's; `what` names it in the problems.
 *
 * @example
 * checkState('counts', new Map([['a', 2]]), new Map([['a', 3]])) // state_mismatch 1
 */
export function checkState<V>(what: string, expected: ReadonlyMap<string, V>, actual: ReadonlyMap<string, V>, equals: (a: V, b: V) => boolean = Object.is): CheckReport {
  const differing: string[] = []
  for (const [key, value] of expected) {
    const found = actual.get(key)
    if (found === undefined || !equals(found, value)) differing.push(`${key}: ${describe(found)} for ${describe(value)}`)
  }
  for (const [key, value] of actual) if (!expected.has(key)) differing.push(`${key}: ${describe(value)}, which the model has not`)
  const problems = differing.length === 0 ? [] : [`state: ${what} differs from the model at ${differing.length} keys (${examples(differing)})`]
  return { ...CLEAN, state_mismatch: differing.length, problems }
}

/** The reports of several checks as one: counts added, problems joined. */
export function combine(...reports: readonly CheckReport[]): CheckReport {
  const sum = (field: keyof CheckCounts): number => reports.reduce((total, report) => total + report[field], 0)
  return {
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    aborted_read: sum('aborted_read'),
    out_of_order: sum('out_of_order'),
    state_mismatch: sum('state_mismatch'),
    problems: reports.flatMap((report) => report.problems),
  }
}

/**
 * A report from problem lines that name their class first (`lost: …`, `duplicated: …`,
 * `aborted read: …`, `order: …` or `out of order: …`); any other line is a state mismatch. For
 * the suites whose own checks speak in lines.
 *
 * @example
 * classify(['lost: run 3 acknowledged sequence 9 at 0/41; that offset is gone']) // lost 1
 */
export function classify(problems: readonly string[]): CheckReport {
  const counts = { lost: 0, duplicated: 0, aborted_read: 0, out_of_order: 0, state_mismatch: 0 }
  for (const problem of problems) {
    if (problem.startsWith('lost')) counts.lost++
    else if (problem.startsWith('duplicated')) counts.duplicated++
    else if (problem.startsWith('aborted')) counts.aborted_read++
    else if (problem.startsWith('order') || problem.startsWith('out of order')) counts.out_of_order++
    else counts.state_mismatch++
  }
  return { ...counts, problems }
}

function examples(values: readonly (number | string)[]): string {
  const shown = values.slice(0, EXAMPLES).join(', ')
  return values.length > EXAMPLES ? `${shown}, …` : shown
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value)
}
