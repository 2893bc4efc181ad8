import type { Clock } from '../clock.js'
import { LogError, ProducerFencedError } from '../log/errors.js'
import type { Consumer, Log, LogRecord, Producer, RebalanceListener, TopicPartition } from '../log/types.js'
import { Committer, type CommitOptions } from './committer.js'
import { RecordDeserializationError, ProcessingError, type LateRecordError } from './errors.js'
import { PartitionTracker } from './partition-tracker.js'
import type { Origin } from './record.js'
import type { StreamBuilder } from './stream-builder.js'
import { Task } from './task.js'
import { prepareTopics, type SubTopology } from './prepare-topics.js'
import type { ErrorPolicy, ResolvedAppOptions } from './app-options.js'
import { zeroCounters, type AppCounters, type StoreMetrics } from './app-metrics.js'
import { canMove, type AppState } from './app-state.js'
import { SampleWindow } from './sample-window.js'
import type { RunnerObservations } from './metrics-snapshot.js'
import { measureStores } from './store-sizes.js'
import { partitionLag } from './partition-lag.js'
import type { SourceNode } from './topology.js'
import type { RestoreProgress } from '../../state/restore.js'
import { deadLetter } from './dead-letter.js'
import { prepareSerdes } from './serde-codec.js'
import fs from 'node:fs'
import path from 'node:path'
import { lockDirectory } from '../dir-lock.js'
import { CacheBudget } from '../../state/cache-budget.js'
import { restoreReporter } from '../../state/restore-progress.js'
import { StateDirectoryLockedError } from '../../state/errors.js'
import { checkStoredTopology } from '../../state/stored-topology.js'
import { TaskStores } from '../../state/task-stores.js'
import { GlobalStore } from '../../state/global-store.js'

/**
 * How often committed records of repartition topics are deleted (Kafka Streams'
 * `repartition.purge.interval.ms`): the app is their only reader, so what it committed is done.
 */
const REPARTITION_PURGE_INTERVAL_MS = 30_000

/** The pause after a retriable log error before the app takes its tasks up again. */
const RETRY_BACKOFF_MS = 1_000

/**
 * How long a task waits at least for an empty input its consumer knows to have records past its
 * position: their fetch is under way (see AppRunner.waitsFor).
 */
const KNOWN_LAG_WAIT_MS = 1_000

/** Records a global store takes in before the next commit checkpoints it (as Kafka Streams). */
const GLOBAL_CHECKPOINT_EVERY_RECORDS = 10_000

/** Records a task buffers beyond which it no longer waits for an empty partition's data. */
const MAX_BUFFERED_PER_TASK = 10_000

/**
 * Records buffered for one partition at which its fetching pauses (resuming below half of it),
 * as Kafka Streams' `buffered.records.per.partition`: a partition whose records wait behind
 * another input's (by timestamp) is not fetched further meanwhile, so the fetches go to the
 * inputs that are behind, and the task's inputs stay aligned in event time.
 */
const PAUSE_BUFFERED_PER_PARTITION = 2_000

/** One record in this many has its time through the chain measured (a power of two, for a mask). */
const LATENCY_SAMPLE_EVERY = 64
/**
 * Records fed between two readings of the wall clock (and after every wait): a task's "last
 * input seen" is then at most this many records old, well under a millisecond, where a reading
 * per record was 1.5% of a stateless query's CPU.
 */
const RECORDS_PER_CLOCK_READING = 64

/** An input partition of a task: where its records go, and those fetched but not yet pushed. */
interface Route {
  readonly task: Task
  readonly tracker: PartitionTracker
  buffer: LogRecord[]
  head: number
  /** Its fetching is paused: it has plenty buffered. */
  paused: boolean
  /** Since when the task has waited for this input while empty, and the end of it its consumer knew of then (see waitsFor). */
  idle: { readonly end: number; readonly since: number } | undefined
}

/**
 * Runs an app: subscribes to its source topics as a consumer group, makes a task per
 * (sub-topology, partition) assigned, and loops fetch → process → commit until stopped.
 * Pull-based: it fetches again only when the tasks took what it fetched and their async work
 * is under `maxInFlight`.
 */
export class AppRunner {
  readonly metrics: AppCounters = zeroCounters()
  private currentState: AppState = 'CREATED'
  /** Called with each new state (the app's health endpoints, its logs). */
  onStateChange: ((state: AppState) => void) | undefined
  private readonly processLatency = new SampleWindow(1_024)
  private readonly commitLatency = new SampleWindow(256)
  /** `store:partition` → the latest progress of its restore. */
  private readonly restores = new Map<string, RestoreProgress>()
  private storeSizes: readonly StoreMetrics[] = []
  private measuring: Promise<void> | undefined
  private readonly tasks = new Map<string, Task>()
  private readonly routes = new Map<string, Route>()
  private subTopologies: SubTopology[] = []
  private sourceTopics: string[] = []
  private readonly rebalanceListener: RebalanceListener = {
    onAssigned: (partitions) => this.assign(partitions),
    onRevoked: (partitions) => this.revoke(partitions),
  }
  private consumer: Consumer | undefined
  private committer: Committer | undefined
  private stopping = false
  private failure: unknown
  private loop: Promise<void> | undefined
  private readonly clock: Clock
  private readonly budget: CacheBudget
  private unlockState: (() => void) | undefined
  private readonly globals = new Map<string, GlobalStore>()
  private lastPurgeAt = -Infinity
  /** Records the global stores took in since their last checkpoint. */
  private globalUpdates = 0
  /** The app's repartition topics: written by its own tasks. */
  private repartitionTopics: ReadonlySet<string> = new Set()
  /** When the log first failed the app with a retriable error since its last good commit. */
  private retryingSince: number | undefined
  /** The tasks were dropped: the consumer rejoins the group (at the next turn of the loop) to get them again. */
  private rejoinPending = false

  constructor(
    private readonly options: ResolvedAppOptions,
    private readonly builder: StreamBuilder,
    private readonly log: Log,
  ) {
    this.clock = options.clock
    this.budget = new CacheBudget(options.cacheMaxBytes)
  }

  /** `<stateDir>/<app id>`: the app's local state. */
  get appStateDir(): string {
    return path.join(this.options.stateDir, this.options.id)
  }

  /** Joins the group and starts the loop; with `manual`, the caller drives it with `step()`. */
  async start(manual = false): Promise<void> {
    this.moveTo('REBALANCING')
    await this.prepareState().catch((error: unknown) => {
      this.moveTo('ERROR')
      throw error
    })
    try {
      await this.prepareTopics()
      await this.openGlobalStores()
      this.repartitionTopics = new Set(this.builder.graph.repartitionTopics.map((topic) => topic.name))
      this.sourceTopics = [...new Set(this.subTopologies.flatMap((sub) => sub.sources.flatMap((source) => source.topics)))]
      const exactlyOnce = this.options.processing === 'exactly_once'
      this.consumer = this.log.consumer({
        groupId: this.options.id,
        isolation: exactlyOnce ? 'read_committed' : 'read_uncommitted',
        autoOffsetReset: 'earliest',
        maxPollRecords: this.options.maxPollRecords,
      })
      const producer: Producer | undefined = exactlyOnce ? undefined : this.log.producer()
      this.committer = new Committer(this.options.id, this.log, this.consumer, producer, this.metrics, (message) => this.options.logger.warn(message), this.options.maxBufferedOutputs)
      await this.consumer.subscribe(this.sourceTopics, this.rebalanceListener)
    } catch (error) {
      // What was opened is closed again, and the state directory unlocked, so a retry can start.
      this.failure ??= error
      await this.close().catch(() => undefined)
      this.moveTo('ERROR')
      throw error
    }
    if (!manual) {
      this.loop = this.run()
      // Reported here too, so an app whose `done` nobody awaits does not fail silently or crash
      // the process with an unhandled rejection; a process whose app failed exits non-zero.
      this.loop.catch((error: unknown) => {
        this.options.logger.warn(`app ${this.options.id} stopped: ${(error as Error).message ?? String(error)}`)
        process.exitCode = 1
      })
    }
  }

  /**
   * One turn of the loop without waiting: fetch what is there, process it, let async work
   * finish. Returns how many records it processed. The test driver steps the app this way.
   */
  async step(): Promise<number> {
    const updates = await this.updateGlobalStores()
    const records = await this.consumer!.poll({ timeoutMs: 0 })
    if (this.currentState === 'REBALANCING') this.moveTo('RUNNING')
    await this.process(records)
    await this.tick()
    await Promise.all([...this.tasks.values()].map((task) => task.idle()))
    await this.committer!.settle()
    if (this.failure !== undefined) throw this.failure
    return records.length + updates
  }

  /** Commits now (the test driver makes outputs visible this way). */
  async commitNow(): Promise<void> {
    await this.commit()
    if (this.failure !== undefined) throw this.failure
  }

  /** Ends a manually driven run. */
  async shutdown(): Promise<void> {
    this.moveTo('PENDING_SHUTDOWN')
    await this.close()
    this.moveTo('NOT_RUNNING')
  }

  /** Resolves when the loop ends: after `stop()`, or rejects with the error that ended it. */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve()
  }

  async stop(): Promise<void> {
    this.stopping = true
    this.moveTo('PENDING_SHUTDOWN')
    this.consumer?.wakeup()
    await this.loop?.catch(() => undefined)
  }

  private async run(): Promise<void> {
    let nextCommitAt = this.clock.now() + this.options.commitIntervalMs
    // The loop waits on clock timers, which are unref'd: without a handle of its own, a script
    // ending in `await app.start()` would exit (code 0, nothing committed) once the input is idle.
    const keepAlive = setInterval(() => undefined, 1 << 30)
    try {
      while (!this.stopping && this.failure === undefined) {
        try {
          if (this.rejoinPending) {
            this.moveTo('REBALANCING')
            await this.consumer!.subscribe(this.sourceTopics, this.rebalanceListener)
            this.rejoinPending = false
          }
          await this.updateGlobalStores()
          const waitMs = Math.max(0, Math.min(this.options.pollTimeoutMs, nextCommitAt - this.clock.now()))
          const records = await this.consumer!.poll({ timeoutMs: waitMs })
          // A poll applies the group's assignment (the listener ran): joined, with nothing or something.
          if (this.currentState === 'REBALANCING') this.moveTo('RUNNING')
          await this.process(records)
          await this.tick()
          if (this.failure !== undefined) break
          // A backlog resolves every await at once: give timers, signals and I/O their turn.
          await new Promise<void>((resolve) => setImmediate(resolve))
          if (this.clock.now() >= nextCommitAt) {
            // Under exactly_once the transactions commit while the loop goes on (see Committer.commit).
            const { finished } = await this.commit(undefined, { deferrable: true, background: this.options.processing === 'exactly_once' })
            nextCommitAt = this.clock.now() + this.options.commitIntervalMs
            void finished.then((succeeded) => {
              if (succeeded) this.retryingSince = undefined
            })
          }
        } catch (error) {
          if (error instanceof ProducerFencedError) await this.dropMigratedTasks(error)
          else if (this.retriable(error)) await this.restartTasks(error)
          else throw error
        }
      }
      if (this.failure === undefined) {
        // Graceful stop: let async work finish, commit it, then close.
        await Promise.all([...this.tasks.values()].map((task) => task.idle()))
        await this.commit()
      }
    } finally {
      clearInterval(keepAlive)
      // After a failure, open transactions are aborted: their outputs must never be seen.
      if (this.failure !== undefined) await this.committer?.abort()
      await this.close().finally(() => this.moveTo(this.failure === undefined ? 'NOT_RUNNING' : 'ERROR'))
    }
    if (this.failure !== undefined) throw this.failure
  }

  /**
   * Takes fetched records into their partitions' buffers, then feeds each task the record with
   * the lowest timestamp among its partitions' buffers, so a task's inputs are interleaved by
   * event time across polls (one input cannot run ahead of another on a backlog). When a poll
   * came back full, a task waits while one of its partitions has nothing buffered (its records
   * may be next in line), unless it has buffered too much to wait longer.
   */
  private async process(records: readonly LogRecord[]): Promise<void> {
    let route: Route | undefined
    let routeKey = ''
    for (const record of records) {
      // Records come in runs of one partition: look the route up once per run.
      const key = `${record.topic}:${record.partition}`
      if (key !== routeKey) {
        route = this.routes.get(key)
        routeKey = key
      }
      route?.buffer.push(record)
    }
    const pollWasFull = records.length >= this.options.maxPollRecords
    for (const task of this.tasks.values()) {
      await this.feed(task, pollWasFull)
      if (this.failure !== undefined) return
    }
    this.pauseOrResume()
    // Outputs leave as soon as the batch is processed: latency is not tied to the commit interval.
    await this.committer!.sendOutputs(this.tasks.values())
  }

  /** Pauses fetching of partitions with plenty buffered, and resumes those drained below half of it. */
  private pauseOrResume(): void {
    const pause: TopicPartition[] = []
    const resume: TopicPartition[] = []
    for (const route of this.routes.values()) {
      const waiting = route.buffer.length - route.head
      if (!route.paused && waiting >= PAUSE_BUFFERED_PER_PARTITION) {
        route.paused = true
        pause.push({ topic: route.tracker.topic, partition: route.tracker.partition })
      } else if (route.paused && waiting < PAUSE_BUFFERED_PER_PARTITION / 2) {
        route.paused = false
        resume.push({ topic: route.tracker.topic, partition: route.tracker.partition })
      }
    }
    if (pause.length > 0) this.consumer!.pause(pause)
    if (resume.length > 0) this.consumer!.resume(resume)
  }

  /**
   * Pushes a task's buffered records through its pipeline, lowest timestamp first, holding them
   * back while an input with nothing buffered may have the next one (see waitsFor).
   */
  private async feed(task: Task, pollWasFull: boolean): Promise<void> {
    const routes: Route[] = []
    for (const tracker of task.inputs()) {
      const route = this.routes.get(tracker.key)
      if (route !== undefined) routes.push(route)
    }
    if (routes.length === 1) {
      await this.feedOne(task, routes[0]!)
      return
    }
    let nowMs = this.clock.now()
    let fed = 0
    for (;;) {
      let next: Route | undefined
      let empty: Route[] | undefined
      let buffered = 0
      for (const route of routes) {
        const waiting = route.buffer.length - route.head
        buffered += waiting
        if (waiting === 0) (empty ??= []).push(route)
        else if (next === undefined || route.buffer[route.head]!.timestamp < next.buffer[next.head]!.timestamp) next = route
      }
      if (next === undefined) return
      // An input with nothing buffered may hold the next record: after a full poll (the consumer
      // has more to give than it gave), or when its consumer knows of records past its position.
      if (empty !== undefined && buffered < MAX_BUFFERED_PER_TASK && (pollWasFull || this.waitsFor(empty))) return
      const record = next.buffer[next.head]!
      next.head++
      if (next.head === next.buffer.length) {
        next.buffer = []
        next.head = 0
      } else if (next.head >= 1_024 && next.head * 2 >= next.buffer.length) {
        // Let go of records already pushed (their bytes keep whole fetched chunks alive).
        next.buffer = next.buffer.slice(next.head)
        next.head = 0
      }
      if (task.pending >= this.options.maxInFlight) {
        while (task.pending >= this.options.maxInFlight) await task.idleBelow(this.options.maxInFlight)
        nowMs = this.clock.now()
      }
      const preparing = prepareSerdes(next.tracker.source, record)
      if (preparing !== undefined) {
        await preparing
        nowMs = this.clock.now()
      }
      if ((++fed & (RECORDS_PER_CLOCK_READING - 1)) === 0) nowMs = this.clock.now()
      this.push(task, next.tracker.source, record, next.tracker, nowMs)
      if (this.failure !== undefined) return
      if (task.bufferedOutputs >= this.options.maxBufferedOutputs) {
        await this.committer!.sendOutputs([task])
        nowMs = this.clock.now()
      }
    }
  }

  /**
   * Whether a task holds back its buffered records for inputs with nothing buffered that may
   * have the next record by timestamp, as Kafka Streams does (`max.task.idle.ms`): an input its
   * consumer knows to have records past its position (its lag) is waited for, up to `maxTaskIdle`
   * or KNOWN_LAG_WAIT_MS, whichever is longer (on Kafka, a fetch's high watermark also counts
   * records of open or aborted transactions, which may never arrive); with `maxTaskIdle` above 0,
   * an input with no known lag is waited for too, up to `maxTaskIdle`. An input is waited for
   * once per end its consumer knows of: when that time is up, the task processes without it until
   * it has more.
   */
  private waitsFor(empty: readonly Route[]): boolean {
    const now = this.clock.now()
    let waits = false
    for (const route of empty) if (this.waitsForInput(route, now)) waits = true
    return waits
  }

  private waitsForInput(route: Route, now: number): boolean {
    const partition = { topic: route.tracker.topic, partition: route.tracker.partition }
    const lag = this.consumer!.currentLag(partition)
    const idleMs = this.options.maxTaskIdleMs
    if (lag === 0 && idleMs === 0) return false
    // -1: the consumer does not know the partition's end yet.
    const end = lag === undefined ? -1 : this.consumer!.position(partition) + lag
    if (route.idle === undefined || route.idle.end !== end) route.idle = { end, since: now }
    return now - route.idle.since < (lag === 0 ? idleMs : Math.max(idleMs, KNOWN_LAG_WAIT_MS))
  }

  /** A task with one input: its buffer in order, nothing to interleave. */
  private async feedOne(task: Task, route: Route): Promise<void> {
    const { buffer, tracker } = route
    const source = tracker.source
    route.buffer = []
    route.head = 0
    let nowMs = this.clock.now()
    for (let at = 0; at < buffer.length; at++) {
      const record = buffer[at]!
      if (task.pending >= this.options.maxInFlight) {
        while (task.pending >= this.options.maxInFlight) await task.idleBelow(this.options.maxInFlight)
        nowMs = this.clock.now()
      }
      const preparing = prepareSerdes(source, record)
      if (preparing !== undefined) {
        await preparing
        nowMs = this.clock.now()
      }
      if (((at + 1) & (RECORDS_PER_CLOCK_READING - 1)) === 0) nowMs = this.clock.now()
      this.push(task, source, record, tracker, nowMs)
      if (this.failure !== undefined) return
      if (task.bufferedOutputs >= this.options.maxBufferedOutputs) {
        await this.committer!.sendOutputs([task])
        nowMs = this.clock.now()
      }
    }
  }

  /** Pushes a record into its task, timing one in LATENCY_SAMPLE_EVERY (the rest cost a mask). */
  private push(task: Task, source: SourceNode, record: LogRecord, tracker: PartitionTracker, nowMs: number): void {
    if ((this.metrics.recordsIn++ & (LATENCY_SAMPLE_EVERY - 1)) !== 0) {
      task.push(source, record, tracker, nowMs)
      return
    }
    const startedAt = performance.now()
    task.push(source, record, tracker, nowMs)
    this.processLatency.add(performance.now() - startedAt)
  }

  /** Wall-clock work of every task (punctuators, idle advance), and the outputs it made. */
  private async tick(): Promise<void> {
    let outputs = 0
    for (const task of this.tasks.values()) {
      task.tick()
      outputs += task.bufferedOutputs
    }
    if (outputs > 0) await this.committer!.sendOutputs(this.tasks.values())
  }

  /**
   * Commits: first each task's stores are flushed (caches forward their changes, which may
   * feed more operators, so until nothing moves) and their backends start writing, then
   * outputs, changelog records and input offsets are committed (the changelog is what makes
   * state durable), then the stores are checkpointed (which waits for the backend writes).
   * `finished` tells whether it succeeded, once a commit in the background is done.
   */
  private async commit(tasks: readonly Task[] = [...this.tasks.values()], options: CommitOptions = {}): Promise<{ readonly finished: Promise<boolean> }> {
    const startedAt = performance.now()
    const committed = await this.commitTasks(tasks, options)
    const finished = committed.finished.then((succeeded) => {
      if (succeeded) this.commitLatency.add(performance.now() - startedAt)
      return succeeded
    })
    return { finished }
  }

  private async commitTasks(tasks: readonly Task[], options: CommitOptions): Promise<{ readonly finished: Promise<boolean> }> {
    const stateful = tasks.filter((task) => task.stores !== undefined)
    for (const task of stateful) {
      await task.idle()
      while (task.stores!.flushCaches() > 0) await task.idle()
      // What the caches held back has gone down: results waiting for it (suppress) may go out.
      task.notifyTimeListeners()
      while (task.stores!.flushCaches() > 0) await task.idle()
      task.stores!.persistInBackground()
    }
    const committed = await this.committer!.commit(tasks, options)
    // (A commit in the background is exactly_once's, which checkpoints stores only when they close.)
    for (const task of stateful) await task.stores!.checkpoint()
    await this.purgeRepartitionTopics()
    if (this.globalUpdates >= GLOBAL_CHECKPOINT_EVERY_RECORDS) {
      this.globalUpdates = 0
      for (const global of this.globals.values()) await global.checkpoint()
    }
    return committed
  }

  /** Deletes what the app has committed of its repartition topics, every 30 s at most. */
  private async purgeRepartitionTopics(): Promise<void> {
    const now = this.clock.now()
    if (now - this.lastPurgeAt < REPARTITION_PURGE_INTERVAL_MS) return
    this.lastPurgeAt = now
    const offsets = this.committer!.committedOffsets().filter((offset) => this.repartitionTopics.has(offset.topic))
    if (offsets.length === 0) return
    try {
      await this.log.deleteRecords(offsets)
    } catch (error) {
      // Only space is at stake: the next purge tries again.
      this.options.logger.warn(`purging repartition topics failed: ${(error as Error).message ?? String(error)}`)
    }
  }

  /**
   * Fills each global table's store from its topic (from the checkpoint on) before the app
   * processes a record, as Kafka Streams bootstraps its global stores.
   */
  private async openGlobalStores(): Promise<void> {
    if (this.builder.graph.globalStores.size > 0) this.moveTo('RESTORING')
    for (const { spec, topic } of this.builder.graph.globalStores.values()) {
      const global = await GlobalStore.open({
        spec,
        topic,
        log: this.log,
        backends: this.options.stores,
        appDir: this.appStateDir,
        readCommitted: this.options.processing === 'exactly_once',
        progress: this.watchRestore(restoreReporter(process.stderr, (line) => this.options.logger.info(line))),
      })
      this.globals.set(spec.name, global)
    }
    this.moveTo('REBALANCING')
  }

  /** Takes in what the global tables' topics gained; returns how many records. */
  private async updateGlobalStores(): Promise<number> {
    let updates = 0
    for (const global of this.globals.values()) updates += await global.update()
    this.globalUpdates += updates
    return updates
  }

  /**
   * Takes the app's state directory (a second instance on the same state is refused) and
   * checks that the stores match those the state was written by.
   */
  private async prepareState(): Promise<void> {
    const specs = [...this.builder.graph.stores.values()]
    if ((specs.length > 0 || this.builder.graph.globalStores.size > 0) && this.options.stores.persistent) {
      fs.mkdirSync(this.appStateDir, { recursive: true })
      this.unlockState = lockDirectory(this.appStateDir, (dir, owner) => new StateDirectoryLockedError(dir, owner))
    }
    try {
      await checkStoredTopology(this.log, this.options.id, specs, {
        reset: this.options.resetState,
        dropLocal: (store) => this.dropLocalShards(store),
      })
    } catch (error) {
      this.releaseState()
      throw error
    }
  }

  private dropLocalShards(store: string): void {
    if (!fs.existsSync(this.appStateDir)) return
    for (const entry of fs.readdirSync(this.appStateDir)) {
      if (entry.startsWith(`${store}-`) && /^\d+$/.test(entry.slice(store.length + 1))) fs.rmSync(path.join(this.appStateDir, entry), { recursive: true, force: true })
    }
  }

  private releaseState(): void {
    this.unlockState?.()
    this.unlockState = undefined
  }

  private async assign(partitions: readonly TopicPartition[]): Promise<void> {
    this.moveTo('REBALANCING')
    const created: Task[] = []
    for (const { topic, partition } of partitions) {
      const sub = this.subTopologies.find((candidate) => candidate.sources.some((source) => source.topics.includes(topic)))
      if (sub === undefined) continue
      const source = sub.sources.find((candidate) => candidate.topics.includes(topic))!
      const taskId = `${sub.index}_${partition}`
      let task = this.tasks.get(taskId)
      if (task === undefined) {
        task = new Task(this.options.id, sub.index, partition, this.clock, this.builder, {
          processingError: (failed, error, origin, operator) => this.onProcessingError(failed, error, origin, operator),
          deserializationError: (failed, error, record) => this.onDeserializationError(failed, error, record),
          lateRecord: (failed, error, origin, sideOutput) => this.onLateRecord(failed, error, origin, sideOutput),
          globalStore: (name) => this.globals.get(name)?.store,
        }, this.options.idleTimeoutMs)
        this.tasks.set(taskId, task)
        created.push(task)
      }
      const tracker = new PartitionTracker(topic, partition, source)
      task.addInput(tracker)
      this.routes.set(tracker.key, { task, tracker, buffer: [], head: 0, paused: false, idle: undefined })
    }
    for (const task of created) {
      const sub = this.subTopologies[task.subTopology]!
      if (sub.stores.length > 0) {
        this.moveTo('RESTORING')
        await this.openStores(task, sub.stores)
      }
      task.start(sub.leaves)
    }
    // RUNNING once the poll that brought the assignment returns (see run).
    this.moveTo('REBALANCING')
  }

  /** Opens and restores a task's store shards (under exactly_once, after fencing its previous producer). */
  private async openStores(task: Task, specs: SubTopology['stores']): Promise<void> {
    if (this.options.processing === 'exactly_once') await this.committer!.prepare(task)
    const stores = new TaskStores({
      appId: this.options.id,
      partition: task.partition,
      specs,
      backends: this.options.stores,
      appDir: this.appStateDir,
      log: this.log,
      exactlyOnce: this.options.processing === 'exactly_once',
      budget: this.budget,
      send: (record) => task.sendRaw(record),
      progress: this.watchRestore(restoreReporter(process.stderr, (line) => this.options.logger.info(line))),
    })
    await stores.open()
    task.stores = stores
  }

  private async revoke(partitions: readonly TopicPartition[]): Promise<void> {
    const affected = new Set<Task>()
    for (const { topic, partition } of partitions) {
      const route = this.routes.get(`${topic}:${partition}`)
      if (route) affected.add(route.task)
    }
    if (affected.size === 0) return
    this.moveTo('REBALANCING')
    await Promise.all([...affected].map((task) => task.idle()))
    await this.commit([...affected])
    for (const task of affected) {
      for (const tracker of task.inputs()) this.routes.delete(tracker.key)
      task.close()
      await task.stores?.close(true)
      await this.committer!.release(task)
      this.tasks.delete(task.taskId)
    }
  }

  /**
   * A task's producer was fenced: the group gave the task to another instance while this one
   * was not heard from (paused, cut off), as Kafka Streams' TaskMigratedException. Every task
   * is closed without committing (its open transaction is already void; its local state is
   * restored from the changelog if it comes back) and the consumer rejoins the group as a new
   * member, so this instance carries on with what the group assigns it now.
   */
  private async dropMigratedTasks(fenced: ProducerFencedError): Promise<void> {
    this.options.logger.warn(`${fenced.message}: the group moved its tasks on; closing every task without committing and rejoining the group`)
    await this.closeTasksDirty()
    this.rejoinPending = true
  }

  /** Closes every task without committing: its stores without a checkpoint, its producer released. */
  private async closeTasksDirty(): Promise<void> {
    for (const task of this.tasks.values()) {
      task.close()
      await task.stores?.close(false)
      await this.committer!.release(task)
    }
    this.tasks.clear()
    this.routes.clear()
  }

  /**
   * Whether the app rides out `error`: a retriable log error (a broker or coordinator gone for a
   * while) within `taskTimeout` of the first since the last good commit.
   */
  private retriable(error: unknown): error is LogError {
    if (!(error instanceof LogError) || !error.retriable || this.stopping) return false
    const now = this.clock.now()
    this.retryingSince ??= now
    return now - this.retryingSince < this.options.taskTimeoutMs
  }

  /**
   * The log failed a send or a commit with a retriable error that outlived the client's own
   * retries: what the tasks did since their last commit may or may not have been written (under
   * exactly_once their open transactions are void or, if the commit got through, committed). As
   * Kafka Streams with a corrupted task, every task is closed without committing, its producer
   * closed (its successor fences it and aborts what it left open), and the group rejoined: the
   * tasks start again from their last committed offsets, their stores restored from the changelog.
   */
  private async restartTasks(error: LogError): Promise<void> {
    this.options.logger.warn(`${error.message}: closing every task without committing and taking them up again from the last commit`)
    await this.committer!.abort()
    await this.closeTasksDirty()
    this.rejoinPending = true
    this.moveTo('REBALANCING')
    // The log is not expected back at once: the next attempt comes after a pause (of the wall
    // clock: the broker's time, not the app's, which a test may hold still).
    await new Promise<void>((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS))
  }

  private onDeserializationError(task: Task, error: unknown, record: LogRecord): void {
    const failure = new RecordDeserializationError(record, error)
    this.applyPolicy(this.options.onDeserializationError, failure, () => task.sendRaw(deadLetter(this.policyTopic(this.options.onDeserializationError), record, failure)))
  }

  /** A record too late for its windows: counted, and copied to the side output topic if there is one. */
  private onLateRecord(task: Task, late: LateRecordError, origin: Origin | undefined, sideOutput: string | undefined): void {
    this.metrics.lateRecords++
    if (sideOutput !== undefined && origin !== undefined) task.sendRaw(deadLetter(sideOutput, origin.input, late))
  }

  private onProcessingError(task: Task, error: unknown, origin: Origin | undefined, operator: string): void {
    const input = origin?.input
    const failure = new ProcessingError(operator, input && { topic: input.topic, partition: input.partition, offset: input.offset }, error)
    const policy = this.options.onProcessingError
    this.applyPolicy(policy, failure, () => {
      // The input record's original bytes, as for a deserialization failure.
      if (input === undefined) throw failure
      task.sendRaw(deadLetter(this.policyTopic(policy), input, failure))
    })
  }

  private applyPolicy(policy: ErrorPolicy, failure: Error, toDeadLetter: () => void): void {
    if (policy === 'fail') {
      this.failure ??= failure
      this.consumer?.wakeup()
    } else if (policy === 'skip') {
      this.metrics.skipped++
      this.options.logger.warn(`skipped: ${failure.message}`)
    } else {
      try {
        toDeadLetter()
        this.metrics.deadLettered++
      } catch (error) {
        this.failure ??= error
      }
    }
  }

  private policyTopic(policy: ErrorPolicy): string {
    return typeof policy === 'object' ? policy.deadLetter : ''
  }

  private async prepareTopics(): Promise<void> {
    this.subTopologies = await prepareTopics(this.log, this.builder.graph, [this.options.onDeserializationError, this.options.onProcessingError], this.options.id)
  }


  private async close(): Promise<void> {
    const clean = this.failure === undefined
    try {
      for (const task of this.tasks.values()) {
        task.close()
        await task.stores?.close(clean)
      }
      this.tasks.clear()
      this.routes.clear()
      await this.committer?.close()
      await this.consumer?.close()
      for (const global of this.globals.values()) await global.close(clean)
      this.globals.clear()
    } finally {
      this.releaseState()
    }
  }

  /** Where the app is in its life (Kafka Streams' states). */
  get state(): AppState {
    return this.currentState
  }

  private moveTo(state: AppState): void {
    if (state === this.currentState || !canMove(this.currentState, state)) return
    this.currentState = state
    this.onStateChange?.(state)
  }

  /** Keeps the latest progress of each restore for metrics, and passes it on. */
  private watchRestore(report: (progress: RestoreProgress) => void): (progress: RestoreProgress) => void {
    return (progress) => {
      this.restores.set(`${progress.store}:${progress.partition}`, progress)
      report(progress)
    }
  }

  /** What metrics are made of, as it stands now (store sizes as last measured). */
  observations(): RunnerObservations {
    return {
      counters: this.metrics,
      state: this.currentState,
      tasks: [...this.tasks.values()],
      graph: this.builder.graph,
      lag: this.consumer === undefined || this.currentState === 'NOT_RUNNING' || this.currentState === 'ERROR' ? [] : partitionLag(this.consumer, this.routes.values()),
      processLatency: this.processLatency,
      commitLatency: this.commitLatency,
      storeSizes: this.storeSizes,
      cacheBytes: this.budget.used,
      cacheMaxBytes: this.budget.maxBytes,
      restores: this.restores.values(),
    }
  }

  /** Measures the store shards again (about once a second while someone watches). */
  measureStores(): Promise<void> {
    this.measuring ??= measureStores(this.tasks.values(), (task) => this.subTopologies[task.subTopology]?.stores.map((spec) => spec.name) ?? [], this.appStateDir, this.options.stores.persistent)
      .then((sizes) => {
        this.storeSizes = sizes
      })
      .finally(() => {
        this.measuring = undefined
      })
    return this.measuring
  }

  /** How many shards a store has (its sub-topology's partitions); undefined before start. */
  storePartitions(name: string): number | undefined {
    // A global store is one whole copy: a single "shard".
    if (this.globals.has(name)) return 1
    return this.subTopologies.find((sub) => sub.stores.some((store) => store.name === name))?.partitions
  }

  /** The running tasks' shards of a store, by partition (for interactive queries). */
  storeShards(name: string): Map<number, unknown> {
    const global = this.globals.get(name)
    if (global !== undefined) return new Map([[0, global.store]])
    const shards = new Map<number, unknown>()
    for (const task of this.tasks.values()) {
      const shard = task.stores?.store(name)
      if (shard !== undefined) shards.set(task.partition, shard)
    }
    return shards
  }
}
