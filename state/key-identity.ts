/**
 * Cheap identities for a store cache's keys: for keys of the serdes listed here, two keys have
 * the same bytes exactly when they have the same identity, so the cache can find an entry without
 * serializing its key. Other serdes have none (the cache then keys by the bytes).
 *
 * @example
 * const identity = primitiveKeyIdentity('int32')
 * identity?.(42) // 42
 */
export type KeyIdentity<K> = (key: K) => string | number | undefined

/**
 * The identity of a key of serde `serdeName` ('string', 'int32', 'float64'), or undefined for
 * other serdes. A key it cannot vouch for (a float64 -0 or NaN, whose bytes vary while the number
 * compares equal; a value of the wrong type) gets undefined, and the caller falls back to bytes.
 *
 * @example
 * primitiveKeyIdentity('float64')?.(1.5) // 1.5
 * primitiveKeyIdentity('float64')?.(-0)  // undefined
 */
export function primitiveKeyIdentity(serdeName: string): KeyIdentity<unknown> | undefined {
  switch (serdeName) {
    case 'string':
      return (key) => (typeof key === 'string' ? key : undefined)
    case 'int32':
      return (key) => (typeof key === 'number' && Number.isInteger(key) && key >= -2147483648 && key <= 2147483647 && !Object.is(key, -0) ? key : undefined)
    case 'float64':
      return (key) => (typeof key === 'number' && !Number.isNaN(key) && !Object.is(key, -0) ? key : undefined)
    default:
      return undefined
  }
}
