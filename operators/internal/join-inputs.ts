import { defer, map, merge, type Observable, type OperatorFunction } from 'rxjs'
import type { JoinSide } from '../../core/runtime/join-windows.js'
import type { StreamRecord } from '../../core/runtime/record.js'
import { currentTaskContext } from '../../core/runtime/task-context.js'
import { describeOperator, type OperatorInfo, type TopologyNode } from '../../core/runtime/topology.js'
import { operate, type OperatorSetup } from './operate.js'

type AnyRecord = StreamRecord<unknown, unknown>

/** A record of one input of a join, with the side it came from. */
export interface SidedRecord {
  readonly side: JoinSide
  readonly record: AnyRecord
}

/**
 * The plumbing under every join: one handler for the records of both inputs, in the order the
 * task takes them. The left input is the stream the operator is piped on; the right one is this
 * task's instance of `other` (as `merge` reads another node), so both sides of a key are
 * processed in the same task, and the graph requires their source topics to be co-partitioned.
 *
 * @example
 * joinInputs('join(orders-payments)', payments.node, (emit, context) => ({ side, record }) => …, { stores })
 */
export function joinInputs<O>(name: string, other: TopologyNode, setup: OperatorSetup<SidedRecord, O>, info: Omit<OperatorInfo, 'name' | 'dependsOn' | 'coPartitioned'> = {}): OperatorFunction<AnyRecord, O> {
  const handle = operate<SidedRecord, O>(name, setup)
  const operator = (source: Observable<AnyRecord>): Observable<O> => {
    const right = defer(() => currentTaskContext(name).instanceOf(other))
    return handle(merge(source.pipe(map((record): SidedRecord => ({ side: 'left', record }))), right.pipe(map((record): SidedRecord => ({ side: 'right', record })))))
  }
  return describeOperator(operator, { name, dependsOn: [other], coPartitioned: [other], ...info })
}

/** Whether a key or value is missing (null, or undefined from a foreign operator). */
export function isMissing(value: unknown): value is null | undefined {
  return value === null || value === undefined
}
