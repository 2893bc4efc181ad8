/**
 * Comparing two runs' outputs: each output topic read to its end (read_committed), the last value
 * per key kept (its key as text, through the query's key reader), and the two compared as parsed
 * JSON: they agree when they hold the same keys and every key's values are equal.
 *
 * @example
 * const expected = await finalValues(log, 'ks-q5', compareQueries.q5.keyText)
 * const actual = await finalValues(log, 'tributary-q5', compareQueries.q5.keyText)
 * const differences = compareFinalValues(expected, actual)
 */
import { isDeepStrictEqual } from 'node:util'
import type { Log, TopicPartition } from '../../../core/log/types.js'

/** Every key's last value (the value bytes as UTF-8 text; `null` for a tombstone). */
export type FinalValues = Map<string, string | null>

/** A fetch that brings nothing for this long means the topic cannot be read to its end. */
const stuckAfterMs = 30_000

/**
 * Reads `topic` to the end offsets it has now and keeps each key's last value.
 *
 * @example
 * (await finalValues(log, 'ks-q1-alos', (key) => key.toString('utf8'))).get('1000') // '{"auction":1000,...}'
 */
export async function finalValues(log: Log, topic: string, keyText: (key: Buffer) => string): Promise<FinalValues> {
  const ends = (await log.describeTopic(topic)).partitions.map(({ partition, endOffset }) => ({ partition: { topic, partition } as TopicPartition, endOffset }))
  const consumer = log.consumer({ isolation: 'read_committed' })
  const values: FinalValues = new Map()
  try {
    await consumer.assign(ends.map(({ partition }) => partition))
    await consumer.seekToBeginning()
    let lastProgress = Date.now()
    // A read_committed position passes the commit markers too, so every position reaches its end.
    while (ends.some(({ partition, endOffset }) => consumer.position(partition) < endOffset)) {
      const records = await consumer.poll({ timeoutMs: 1_000, maxRecords: 10_000 })
      if (records.length > 0) lastProgress = Date.now()
      else if (Date.now() - lastProgress > stuckAfterMs) throw new Error(`reading ${topic} stalled short of its end offsets`)
      for (const record of records) values.set(record.key === null ? 'null' : keyText(record.key), record.value === null ? null : record.value.toString('utf8'))
    }
  } finally {
    await consumer.close()
  }
  return values
}

/** How two outputs differ: keys only one has, and keys whose values differ (as parsed JSON). */
export interface Difference {
  readonly key: string
  readonly expected: string | null | undefined
  readonly actual: string | null | undefined
}

/**
 * The differences between two outputs (values compared as `comparable` makes them): how many, and
 * the first `limit` of them.
 *
 * @example
 * compareFinalValues(new Map([['1', '{"a":1.0}']]), new Map([['1', '{"a":1}']])) // { count: 0, first: [] }
 */
export function compareFinalValues(expected: FinalValues, actual: FinalValues, comparable: (value: unknown) => unknown = (value) => value, limit = 5): { count: number; first: Difference[] } {
  const first: Difference[] = []
  let count = 0
  const note = (difference: Difference): void => {
    count++
    if (first.length < limit) first.push(difference)
  }
  for (const [key, value] of expected) {
    if (!actual.has(key)) note({ key, expected: value, actual: undefined })
    else if (!sameJson(value, actual.get(key)!, comparable)) note({ key, expected: value, actual: actual.get(key) })
  }
  for (const [key, value] of actual) if (!expected.has(key)) note({ key, expected: undefined, actual: value })
  return { count, first }
}

function sameJson(left: string | null, right: string | null, comparable: (value: unknown) => unknown): boolean {
  if (left === right) return true
  if (left === null || right === null) return false
  try {
    return isDeepStrictEqual(comparable(JSON.parse(left)), comparable(JSON.parse(right)))
  } catch {
    return false
  }
}
