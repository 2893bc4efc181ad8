import { Subject, share, tap, type Observable, type Subscription } from 'rxjs'
import type { Clock } from '../clock.js'
import type { LogRecord, ProducerRecord, RecordHeader, TopicPartitionOffset } from '../log/types.js'
import type { PartitionTracker } from './partition-tracker.js'
import { ORIGIN, originOf, type Origin, type StreamRecord } from './record.js'
import { decode, encode } from './serde-codec.js'
import type { LateRecordError } from './errors.js'
import type { StreamBuilder } from './stream-builder.js'
import { withTaskContext, type SinkTarget, type TaskContext } from './task-context.js'
import type { SourceNode, TimestampExtractor, TopologyNode } from './topology.js'
import type { TaskStores } from '../../state/task-stores.js'
import { TaskTime, type PunctuationType } from './task-time.js'

type AnyRecord = StreamRecord<unknown, unknown>

/** What a task reports up: failures of user code or serdes, with the record involved. */
export interface TaskHooks {
  /** `origin` is the input record behind the failure, when it is known. */
  processingError(task: Task, error: unknown, origin: Origin | undefined, operator: string): void
  deserializationError(task: Task, error: unknown, record: LogRecord): void
  lateRecord(task: Task, late: LateRecordError, origin: Origin | undefined, sideOutput: string | undefined): void
  /** A global table's store, shared by every task (undefined: no global table of that name). */
  globalStore(name: string): unknown
}

/**
 * One (sub-topology, partition): a running instance of the sub-topology's RxJS chain, fed
 * with the records of that partition of its source topics. It buffers outputs until the
 * commit and tracks, per input partition, which offsets are fully processed.
 */
export class Task implements TaskContext {
  readonly taskId: string
  currentKey: unknown = undefined
  private origin: Origin | undefined = undefined
  private readonly subjects = new Map<number, Subject<AnyRecord>>()
  private readonly instances = new Map<number, Observable<AnyRecord>>()
  private readonly subscriptions: Subscription[] = []
  /** `topic:partition` → the commit position of each input partition. */
  private readonly trackers = new Map<string, PartitionTracker>()
  private outputs: ProducerRecord[] = []
  private inFlight = 0
  private idleWaiters: { limit: number; resolve: () => void }[] = []
  /** Stream time, punctuators and idle advance. */
  readonly time: TaskTime
  /** The task's store shards, once opened and restored (none for a stateless sub-topology). */
  stores: TaskStores | undefined
  /** Records pushed into the task (deserialized or not). */
  recordsIn = 0
  /** Records the task handed over for sending (outputs, changelog records, dead letters). */
  recordsOut = 0
  /** topic → records the task's sinks (`to`, repartitions) sent there. */
  readonly sentByTopic = new Map<string, number>()
  /** node id → records its instance in this task has emitted (see metrics). */
  private readonly nodeCounters = new Map<number, { records: number }>()

  constructor(
    readonly appId: string,
    readonly subTopology: number,
    readonly partition: number,
    readonly clock: Clock,
    private readonly builder: StreamBuilder,
    private readonly hooks: TaskHooks,
    idleTimeoutMs?: number,
  ) {
    this.taskId = `${subTopology}_${partition}`
    this.time = new TaskTime(clock.now(), idleTimeoutMs)
  }

  /** Stream time: the highest event time among the records this task has taken (-Infinity before any). */
  get streamTime(): number {
    return this.time.streamTime
  }

  get settledStreamTime(): number {
    return this.time.settledStreamTime
  }

  oldestHeldBack(): number {
    return this.stores?.oldestHeldBack() ?? Infinity
  }

  /** Tells the stream-time listeners to look again (after a commit flushed the caches, say). */
  notifyTimeListeners(): void {
    this.time.notify()
  }

  streamTimeOf(record: unknown): number {
    return originOf(record)?.streamTime ?? this.time.streamTime
  }

  schedule(type: PunctuationType, intervalMs: number, callback: (time: number) => void): () => void {
    return this.time.schedule(type, intervalMs, this.clock.now(), (time) => this.guarded('punctuator', () => callback(time)))
  }

  onStreamTimeAdvance(listener: () => void): () => void {
    return this.time.onAdvance(() => this.guarded('stream time', listener))
  }

  /** Wall-clock work of the task: punctuators due, idle advance of stream time. */
  tick(): void {
    this.time.tick(this.clock.now())
  }

  private guarded(what: string, run: () => void): void {
    try {
      run()
    } catch (error) {
      this.hooks.processingError(this, error, undefined, what)
    }
  }

  get currentOrigin(): Origin | undefined {
    return this.origin
  }

  /** Async work in progress (the runtime stops feeding the task while it is too high). */
  get pending(): number {
    return this.inFlight
  }

  /** Subscribes the chain: every leaf of the sub-topology, inside this task's context. */
  start(leaves: readonly TopologyNode[]): void {
    withTaskContext(this, () => {
      for (const leaf of leaves) {
        this.subscriptions.push(
          this.instanceOf(leaf).subscribe({
            error: (error: unknown) => this.hooks.processingError(this, error, undefined, 'pipeline'),
          }),
        )
      }
    })
  }

  /**
   * Deserializes an input record and pushes it through the chain, synchronously. `nowMs` is the
   * wall clock as the caller last read it (when this input was last seen, for the idle timeout).
   */
  push(source: SourceNode, record: LogRecord, tracker: PartitionTracker, nowMs: number): void {
    tracker.pushed(record.offset)
    this.recordsIn++
    let key: unknown
    let value: unknown
    try {
      key = decode(source.key, record.key, { topic: record.topic, isKey: true, headers: record.headers })
      value = decode(source.value, record.value, { topic: record.topic, isKey: false, headers: record.headers })
    } catch (error) {
      this.hooks.deserializationError(this, error, record)
      return
    }
    const origin: Origin = { partitionKey: tracker.key, offset: record.offset, input: record, streamTime: -Infinity }
    const streamRecord = { key, value, timestamp: record.timestamp, headers: record.headers, topic: record.topic, partition: record.partition, offset: record.offset, [ORIGIN]: origin }
    if (source.timestamp !== undefined) {
      const timestamp = this.extractTimestamp(source.timestamp, streamRecord, origin)
      if (timestamp === undefined) return
      streamRecord.timestamp = timestamp
    }
    const advanced = this.time.observe(streamRecord.timestamp, nowMs)
    origin.streamTime = this.time.streamTime
    this.origin = origin
    try {
      this.subjects.get(source.id)!.next(streamRecord)
    } finally {
      this.origin = undefined
      this.currentKey = undefined
    }
    if (advanced) this.time.advanced()
  }

  /** The event time the source's extractor gives, or undefined after reporting why it gave none. */
  private extractTimestamp(extract: TimestampExtractor, record: AnyRecord, origin: Origin): number | undefined {
    let timestamp: unknown
    try {
      timestamp = extract(record)
    } catch (error) {
      this.hooks.processingError(this, error, origin, 'timestamp extractor')
      return undefined
    }
    if (typeof timestamp === 'number' && Number.isFinite(timestamp) && timestamp >= 0) return timestamp
    this.hooks.processingError(this, new Error(`the timestamp extractor returned ${String(timestamp)}, not a finite number of milliseconds ≥ 0`), origin, 'timestamp extractor')
    return undefined
  }

  instanceOf(node: TopologyNode): Observable<AnyRecord> {
    let instance = this.instances.get(node.id)
    if (instance !== undefined) return instance
    if (node.kind === 'source') {
      const subject = new Subject<AnyRecord>()
      this.subjects.set(node.id, subject)
      instance = subject.asObservable()
    } else {
      instance = node.operators.length === 0 ? this.instanceOf(node.parent) : (this.instanceOf(node.parent).pipe as (...ops: unknown[]) => Observable<AnyRecord>)(...node.operators)
    }
    // Counted once per record, before any multicast: a node's throughput in metrics.
    const counter = { records: 0 }
    this.nodeCounters.set(node.id, counter)
    instance = instance.pipe(
      tap(() => {
        counter.records++
      }),
    )
    const watched = this.builder.existingTap(node)
    if (watched !== undefined) instance = instance.pipe(tap((record) => watched.next(record)))
    if (this.builder.graph.consumerCount(node) > 1) instance = instance.pipe(share())
    this.instances.set(node.id, instance)
    return instance
  }

  send<K, V>(target: SinkTarget<K, V>, record: StreamRecord<K, V>, headers?: readonly RecordHeader[]): void {
    const recordHeaders = headers ?? record.headers
    const key = encode(target.key as never, record.key, { topic: target.topic, isKey: true, headers: recordHeaders })
    const value = encode(target.value as never, record.value, { topic: target.topic, isKey: false, headers: recordHeaders })
    // One object shape either way (no spread on the hot path).
    const output: ProducerRecord =
      target.partition === undefined
        ? { topic: target.topic, key, value, headers: recordHeaders, timestamp: record.timestamp }
        : { topic: target.topic, partition: target.partition, key, value, headers: recordHeaders, timestamp: record.timestamp }
    this.outputs.push(output)
    this.sentByTopic.set(target.topic, (this.sentByTopic.get(target.topic) ?? 0) + 1)
  }

  store<S>(name: string): S {
    const store = this.stores?.store(name) ?? this.hooks.globalStore(name)
    if (store === undefined) throw new Error(`task ${this.taskId} has no store ${JSON.stringify(name)}: an operator asked for a store its sub-topology does not declare`)
    return store as S
  }

  /** Adds a raw record to the outputs (dead letters, changelog records). */
  sendRaw(record: ProducerRecord): void {
    this.outputs.push(record)
  }

  track(origin: Origin | undefined): () => void {
    const tracker = origin === undefined ? undefined : this.trackers.get(origin.partitionKey)
    tracker?.begin(origin!.offset)
    this.inFlight++
    const settle = this.time.begin(origin?.streamTime)
    let finished = false
    return () => {
      if (finished) return
      finished = true
      tracker?.end(origin!.offset)
      this.inFlight--
      settle()
      if (this.idleWaiters.length > 0) {
        const ready = this.idleWaiters.filter((waiter) => this.inFlight < waiter.limit)
        this.idleWaiters = this.idleWaiters.filter((waiter) => this.inFlight >= waiter.limit)
        for (const waiter of ready) waiter.resolve()
      }
    }
  }

  /** Resolves once no async work is in flight. */
  idle(): Promise<void> {
    return this.idleBelow(1)
  }

  /** Resolves once less than `limit` async work is in flight. */
  idleBelow(limit: number): Promise<void> {
    return this.inFlight < limit ? Promise.resolve() : new Promise((resolve) => this.idleWaiters.push({ limit, resolve }))
  }

  /** Adds an input partition of this task. */
  addInput(tracker: PartitionTracker): void {
    this.trackers.set(tracker.key, tracker)
  }

  lateRecord(record: unknown, late: LateRecordError, sideOutput: string | undefined): void {
    this.hooks.lateRecord(this, late, originOf(record) ?? this.origin, sideOutput)
  }

  processingError(error: unknown, record: unknown, operator: string): void {
    this.hooks.processingError(this, error, originOf(record) ?? this.origin, operator)
  }

  /** Takes the buffered outputs (to send them). */
  takeOutputs(): ProducerRecord[] {
    const outputs = this.outputs
    this.outputs = []
    this.recordsOut += outputs.length
    return outputs
  }

  /** Records a node of the topology has emitted in this task (0 for a node it does not run). */
  nodeRecords(nodeId: number): number {
    return this.nodeCounters.get(nodeId)?.records ?? 0
  }

  get bufferedOutputs(): number {
    return this.outputs.length
  }

  /** The offsets to commit for this task's input partitions: up to the first unfinished record. */
  committableOffsets(): TopicPartitionOffset[] {
    const offsets: TopicPartitionOffset[] = []
    for (const tracker of this.trackers.values()) {
      const offset = tracker.committable()
      if (offset !== undefined) offsets.push({ topic: tracker.topic, partition: tracker.partition, offset })
    }
    return offsets
  }

  /** The input partitions and the source node each belongs to. */
  inputs(): IterableIterator<PartitionTracker> {
    return this.trackers.values()
  }

  close(): void {
    for (const subject of this.subjects.values()) subject.complete()
    for (const subscription of this.subscriptions) subscription.unsubscribe()
  }
}
