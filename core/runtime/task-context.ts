import type { Observable } from 'rxjs'
import type { Clock } from '../clock.js'
import type { RecordHeader } from '../log/types.js'
import type { SinkSerde } from './stream.js'
import type { Origin, StreamRecord } from './record.js'
import type { TopologyNode } from './topology.js'
import type { LateRecordError } from './errors.js'
import type { PunctuationType } from './task-time.js'

/** Where a sink sends a record. */
export interface SinkTarget<K, V> {
  readonly topic: string
  readonly key: SinkSerde<K> | undefined
  readonly value: SinkSerde<V> | undefined
  /** Picks the partition; by default the key's murmur2 hash. */
  readonly partition?: number
}

/**
 * What a framework operator sees of the task running it: the clock, output, in-flight
 * tracking for async work, and the per-task instances of other streams. Operators get it
 * when they are subscribed (inside the task), so standard RxJS operators need none of it.
 */
export interface TaskContext {
  readonly appId: string
  readonly taskId: string
  readonly partition: number
  readonly clock: Clock
  /** The highest event time among the records the task has taken (-Infinity before any). */
  readonly streamTime: number
  /**
   * The stream time a record (or anything carrying its origin) is judged against: the task's
   * stream time once it had taken the input record it derives from (`streamTime` without one).
   * Async work upstream may hand a record on after later inputs moved stream time further.
   */
  streamTimeOf(record: unknown): number
  /**
   * The oldest timestamp among the updates store caches of the task hold back from the operators
   * downstream (Infinity when none): they reach those operators at the next commit, so an
   * operator releasing results by stream time (suppress) must not release past it yet.
   */
  oldestHeldBack(): number
  /** Stream time as far as every record has been handled (async work holds it back; see TaskTime). */
  readonly settledStreamTime: number
  /** Calls `callback` every `intervalMs` of stream time or wall-clock time; returns the cancel function. */
  schedule(type: PunctuationType, intervalMs: number, callback: (time: number) => void): () => void
  /** Calls `listener` whenever stream time, or settled stream time, advances (after a record, on the idle timeout, when async work finishes). */
  onStreamTimeAdvance(listener: () => void): () => void
  /** The origin of the input record being pushed right now (undefined between pushes). */
  readonly currentOrigin: Origin | undefined
  /** The key of the record most recently handed to a user function, for async ordering. */
  currentKey: unknown
  /** Buffers a record for output; it becomes durable at the next commit. */
  send<K, V>(target: SinkTarget<K, V>, record: StreamRecord<K, V>, headers?: readonly RecordHeader[]): void
  /** Marks async work started for an origin; the returned function marks it finished. */
  track(origin: Origin | undefined): () => void
  /** This task's running instance of another node (for merge and joins). */
  instanceOf(node: TopologyNode): Observable<StreamRecord<unknown, unknown>>
  /** This task's shard of a store its sub-topology declares (typed by the operator that declared it). */
  store<S>(name: string): S
  /** Reports a record too late for its windows: counted, and copied to `sideOutput` when given. */
  lateRecord(record: unknown, late: LateRecordError, sideOutput: string | undefined): void
  /** Reports an error thrown by user code for a record (or anything carrying its origin); the app's handler decides. */
  processingError(error: unknown, record: unknown, operator: string): void
}

let current: TaskContext | undefined

/** Runs `subscribe` with `context` as the current task context (operators read it at subscription). */
export function withTaskContext<T>(context: TaskContext, subscribe: () => T): T {
  const previous = current
  current = context
  try {
    return subscribe()
  } finally {
    current = previous
  }
}

/** The context of the task subscribing now; throws outside a running task. */
export function currentTaskContext(operator: string): TaskContext {
  if (current === undefined) {
    throw new Error(`${operator} runs only inside a Tributary pipeline (app.stream(...).pipe(...)); it was subscribed outside a task`)
  }
  return current
}

/** The context of the task subscribing now, or undefined (a plain RxJS subscription). */
export function maybeTaskContext(): TaskContext | undefined {
  return current
}
