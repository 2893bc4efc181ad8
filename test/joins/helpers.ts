import { serdes, type TestDriver } from '../../index.js'
import type { AnySerde } from '../../core/runtime/serde-codec.js'

export const SECOND = 1_000

/** The join tests' input topics: string keys, string values, null a tombstone (or a null stream value). */
export const nullableStrings = { key: serdes.string(), value: serdes.nullable(serdes.string()) }

/**
 * Sends one record to the input topic `side` (key `k` unless given, at `seconds` of event time)
 * and returns the values the join wrote to `joined` since the previous send.
 *
 * @example
 * const send = joinSender<'left' | 'right', string>(driver, { key: serdes.string(), value: serdes.string() })
 * expect(await send('left', 'A', 1)).toEqual([])
 */
export function joinSender<S extends string, V>(driver: TestDriver, output: { readonly key: AnySerde<string>; readonly value: AnySerde<V> }): (side: S, value: string | null, seconds: number, key?: string) => Promise<V[]> {
  const joined = driver.output('joined', output)
  return async (side, value, seconds, key = 'k') => {
    await driver.input(side, nullableStrings).send(value, { key, timestamp: seconds * SECOND })
    return (await joined.readValues()) as V[]
  }
}
