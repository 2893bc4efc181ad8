import { merge as mergeObservables, Observable, type OperatorFunction } from 'rxjs'
import { currentTaskContext } from '../../core/runtime/task-context.js'
import type { StreamRecord } from '../../core/runtime/record.js'
import { describeOperator, type TopologyNode } from '../../core/runtime/topology.js'

type AnyRecord = StreamRecord<unknown, unknown>

/** Merges this task's instances of other nodes into the stream (same sub-topology). */
export function mergeNodes<T>(nodes: readonly TopologyNode[]): OperatorFunction<T, T> {
  const operator = (source: Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      const context = currentTaskContext('merge')
      const others = nodes.map((node) => context.instanceOf(node) as Observable<AnyRecord> as unknown as Observable<T>)
      return mergeObservables(source, ...others).subscribe(subscriber)
    })
  return describeOperator(operator, { name: 'merge', dependsOn: nodes })
}
