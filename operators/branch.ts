import type { StreamRecord } from '../core/runtime/record.js'
import type { Stream } from '../core/runtime/stream.js'

/**
 * Splits a stream by predicates into named streams: each record goes to the first branch
 * whose predicate it passes.
 *
 * @example
 * const { errors, rest } = branch(logs, { errors: (r) => r.value.level === 'error', rest: () => true })
 * errors.to('alerts')
 */
export function branch<K, V, N extends string>(
  stream: Stream<K, V>,
  predicates: Record<N, (record: StreamRecord<K, V>) => boolean>,
): Record<N, Stream<K, V>> {
  return stream.branch(predicates)
}
