import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { Stream } from '../core/runtime/stream.js'
import { mergeNodes } from './internal/merge-nodes.js'

/**
 * Merges other streams of the app into this one. The merged streams are processed in the
 * same task, partition by partition.
 *
 * @example
 * web.pipe(merge(mobile, kiosk)).to('all-clicks')
 * @see Stream.merge
 */
export function merge<K, V>(...others: Stream<K, V>[]): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  return mergeNodes(others.map((other) => other.node))
}
