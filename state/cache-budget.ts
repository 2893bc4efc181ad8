/**
 * The bytes all store caches of an app may hold together (Kafka Streams'
 * `statestore.cache.max.bytes`). A cache that grows past it evicts its own least recently
 * used entries until the total fits again.
 *
 * @example
 * const budget = new CacheBudget(10 * 1024 * 1024)
 */
export class CacheBudget {
  used = 0
  constructor(readonly maxBytes: number) {}

  get over(): boolean {
    return this.used > this.maxBytes
  }
}

/** About how many bytes a cached value holds, without serializing it (the cache exists to avoid that). */
export function estimateSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return 8
    case 'object':
      if (value === null) return 8
      if (Buffer.isBuffer(value)) return 16 + value.length
      if (Array.isArray(value)) return 32 + value.length * 16
      return 64 + Object.keys(value).length * 24
    default:
      return 16
  }
}
