import { ConfigError } from '../errors.js'
import type { Log, LogProvider } from '../log/types.js'
import { AppRunner } from './app-runner.js'
import { resolveAppOptions, type AppOptions, type ResolvedAppOptions } from './app-options.js'
import type { AppMetrics } from './app-metrics.js'
import type { AppState } from './app-state.js'
import { snapshotMetrics } from './metrics-snapshot.js'
import { zeroCounters } from './app-metrics.js'
import { RateMeter } from './rate-meter.js'
import { startObserveServer, type ObserveServer } from '../observe/observe-server.js'
import { DASHBOARD_PORT_ENV, METRICS_PORT_ENV } from '../observe/observe-options.js'
import { SampleWindow } from './sample-window.js'
import { TopologyGraph } from './topology.js'
import { describeTopology, type TopologyDescription } from './describe.js'
import type { AnySerde, RawBytes, SerdeType } from './serde-codec.js'
import type { Stream } from './stream.js'
import { StreamBuilder } from './stream-builder.js'
import { operatorInfo, type TimestampExtractor } from './topology.js'
import type { StreamRecord } from './record.js'
import { nullable } from '../serde/nullable.js'
import type { Serde } from '../serde/types.js'
import { QueryableStore } from './queryable-store.js'
import type { Table } from './table.js'
import { UnknownStoreError } from '../../state/errors.js'
import { checkStoreName, type KeyValueStoreSpec } from '../../state/store-spec.js'
import { GlobalTable } from './global-table.js'
import { launchHook } from './launch-hook.js'
import type { AppService } from './app-service.js'
import { connectorService } from '../../connectors/runner/connector-service.js'
import { resolveSerde } from '../../connectors/runner/serde-spec.js'
import type { SourceSpec } from '../../connectors/runner/spec.js'
import type { ConfigSchema } from '../../connectors/api/config-schema.js'

/**
 * A source connector declared in an app: as `SourceSpec`, with the serdes as Serdes so the stream
 * is typed by them (`CK`, `CV` are what the connector itself produces).
 */
export type AppSourceSpec<S extends ConfigSchema, CK, CV, K, V> = Omit<SourceSpec<S, CK, CV>, 'key' | 'value'> & { readonly key?: Serde<K>; readonly value?: Serde<V> }

/** Serdes of a source topic; without one, keys or values are raw bytes (`Buffer | null`). */
export interface SourceSerdes<KS extends AnySerde<unknown> | undefined, VS extends AnySerde<unknown> | undefined> {
  readonly key?: KS
  readonly value?: VS
  /**
   * Event time of a record, in milliseconds since the epoch (default: the record's timestamp).
   * A function that throws or returns something other than a finite number ≥ 0 is a processing
   * error for that record, routed by `onProcessingError`.
   */
  readonly timestamp?: (record: StreamRecord<Typed<KS>, Typed<VS>>) => number
}

type Typed<S> = S extends AnySerde<unknown> ? SerdeType<S> : RawBytes

/**
 * A stream-processing app: declare its streams, then `start()` it. It runs as a consumer group
 * named by its id, one task per (sub-topology, partition), on the embedded log or on Kafka.
 *
 * @example
 * const app = new App({ id: 'wordcount', log: embedded({ dir: './data' }) })
 * app.stream('lines', { value: serdes.string() })
 *   .pipe(flatMap((line) => line.split(/\W+/)), filter((word) => word.length > 0), selectKey((word) => word.toLowerCase()))
 *   .to('words', { key: serdes.string(), value: serdes.string() })
 * await app.start()
 */
export class App {
  readonly id: string
  private readonly options: ResolvedAppOptions
  private readonly builder: StreamBuilder
  private runner: AppRunner | undefined
  private openedLog: Log | undefined
  private signalHandler: (() => void) | undefined
  private readonly services: AppService[] = []
  private runningServices: AppService[] = []
  private serviceFailure: Promise<never> | undefined
  private readonly throughput = new RateMeter(10_000)
  private readonly stateListeners: ((state: AppState) => void)[] = []
  private observeServer: ObserveServer | undefined

  constructor(private readonly appOptions: AppOptions) {
    this.options = resolveAppOptions(appOptions)
    this.id = this.options.id
    this.builder = new StreamBuilder(this.id)
  }

  /**
   * Declares a stream of one or more topics, typed by its serdes.
   *
   * @example
   * const orders = app.stream('orders', { key: serdes.string(), value: serdes.json<Order>() })
   */
  stream<KS extends AnySerde<unknown> | undefined = undefined, VS extends AnySerde<unknown> | undefined = undefined>(
    topics: string | readonly string[],
    serdes: SourceSerdes<KS, VS> = {},
  ): Stream<Typed<KS>, Typed<VS>> {
    this.checkNotStarted('stream')
    const list = typeof topics === 'string' ? [topics] : [...topics]
    if (list.length === 0) throw new ConfigError('topics', 'a stream needs at least one topic')
    const stream = this.builder.source(list, serdes.key, serdes.value, serdes.timestamp as TimestampExtractor | undefined)
    return stream as Stream<Typed<KS>, Typed<VS>>
  }

  /**
   * Declares a source connector that runs with the app, on the app's log, and the stream of the
   * topic it writes to. It starts before the app's tasks and stops after them; its offsets are
   * stored in the log, so it resumes where it stopped. A connector that fails stops the app.
   *
   * @example
   * const orders = app.source({ name: 'orders-file', connector: fileSource, topic: 'orders', config: { path: './orders.jsonl' }, value: serdes.json<Order>() })
   * orders.pipe(filter((order) => order.total > 100)).to('big-orders', { value: serdes.json<Order>() })
   */
  source<S extends ConfigSchema, CK, CV, K = CK, V = CV>(spec: AppSourceSpec<S, CK, CV, K, V>): Stream<K, V> {
    this.checkNotStarted('source')
    // Connectors often write records without a key: the default key serde takes null too.
    const key = (spec.key ?? nullable(resolveSerde(undefined, spec.connector.serdes?.key ?? 'string', `connectors.${spec.name}.key`))) as Serde<K>
    const value = (spec.value ?? resolveSerde(undefined, spec.connector.serdes?.value ?? 'json', `connectors.${spec.name}.value`)) as Serde<V>
    this.services.push(connectorService({ ...spec, key, value } as SourceSpec))
    return this.builder.source([spec.topic], key, value) as Stream<K, V>
  }

  /**
   * Declares a table of a topic (Kafka Streams' `builder.table`): the latest value per key,
   * kept in a store (named `name`, by default after the topic); a record with a null value
   * (tombstone) deletes its key. Give the topic `cleanup: 'compact'` so it keeps the latest
   * value per key.
   *
   * @example
   * const users = app.table('users', { key: serdes.string(), value: serdes.json<User>() })
   */
  table<K, V extends NonNullable<unknown>>(topic: string, options: { readonly key: Serde<K>; readonly value: Serde<V>; readonly name?: string; readonly cache?: boolean }): Table<K, V> {
    this.checkNotStarted('table')
    const source = this.builder.source<K, V | null>([topic], options.key, nullable(options.value))
    return source.toTable({ name: options.name ?? topic, key: options.key, value: options.value, ...(options.cache === undefined ? {} : { cache: options.cache }) }) as Table<K, V>
  }

  /**
   * Declares a global table of a topic (Kafka Streams' `builder.globalTable`): every partition,
   * copied in full to every instance and kept current, kept in a store named `name` (by default
   * after the topic). Streams join it by a key they extract from each record, with no
   * co-partitioning. Give the topic `cleanup: 'compact'`.
   *
   * @example
   * const products = app.globalTable('products', { key: serdes.string(), value: serdes.json<Product>() })
   * orders.join(products, (orderId, order) => order.productId, (order, product) => ({ ...order, price: product.price }))
   */
  globalTable<K, V extends NonNullable<unknown>>(topic: string, options: { readonly key: Serde<K>; readonly value: Serde<V>; readonly name?: string }): GlobalTable<K, V> {
    this.checkNotStarted('globalTable')
    const name = options.name ?? topic
    checkStoreName(name)
    const spec: KeyValueStoreSpec = { kind: 'key-value', name, key: options.key as Serde<unknown>, value: options.value as Serde<unknown>, cache: false }
    this.builder.graph.addGlobalStore({ spec, topic })
    return new GlobalTable<K, V>(name, topic, options.key, options.value)
  }

  /**
   * Reads a key-value store (an aggregation's or a table's) from outside the pipeline: `get`,
   * `range`, `all` on the shards this instance hosts, and `watch(key)` for a key's changes.
   *
   * @example
   * const counts = app.store<string, number>('word-counts')
   * console.log(await counts.get('kafka'))
   */
  store<K, V>(name: string): QueryableStore<K, V> {
    const graph = this.builder.graph
    const spec = graph.stores.get(name) ?? graph.globalStores.get(name)?.spec
    if (spec === undefined || spec.kind !== 'key-value') {
      const known = [...graph.stores.values()].filter((store) => store.kind === 'key-value').map((store) => store.name)
      throw new UnknownStoreError(name, [...known, ...graph.globalStores.keys()])
    }
    return new QueryableStore<K, V>(spec, {
      shards: (store) => this.runner?.storeShards(store) ?? new Map(),
      partitions: (store) => this.runner?.storePartitions(store),
    })
  }

  /** The topology as text and as a Mermaid flowchart. */
  describe(): TopologyDescription {
    return describeTopology(this.builder.graph)
  }

  /**
   * Starts processing; resolves once the app has joined its group and runs.
   * `done` then resolves when it stops, or rejects with the error that stopped it.
   */
  async start(): Promise<void> {
    this.checkNotStarted('start')
    await launchHook()?.(this)
    await this.startObserveServer()
    const log = isProvider(this.appOptions.log) ? await this.appOptions.log.open() : this.appOptions.log
    if (isProvider(this.appOptions.log)) this.openedLog = log
    this.builder.frozen = true
    this.runner = new AppRunner(this.options, this.builder, log)
    this.runner.onStateChange = (state) => {
      this.options.logger.debug?.(`${this.id} is ${state}`)
      for (const listener of this.stateListeners) listener(state)
    }
    try {
      await this.startServices(log)
      await this.runner.start()
    } catch (error) {
      // A log the app opened is closed again (its data directory unlocked) when it cannot start.
      await this.stopServices()
      await this.release()
      throw error
    }
    if (this.options.handleSignals) this.installSignalHandlers()
  }

  /** @internal Starts without the background loop, for the test driver, which steps the app itself. */
  async startManual(log: Log): Promise<AppRunner> {
    this.checkNotStarted('start')
    this.builder.frozen = true
    this.runner = new AppRunner(this.options, this.builder, log)
    await this.runner.start(true)
    return this.runner
  }

  /** @internal The topics the app reads (other than its own internal ones) and the fixed topics it writes. */
  topics(): { sources: string[]; sinks: string[] } {
    const graph = this.builder.graph
    const internal = new Set(graph.repartitionTopics.map((topic) => topic.name))
    const sinks = new Set<string>()
    for (const node of graph.nodes) {
      if (node.kind === 'pipe') for (const operator of node.operators) for (const topic of operatorInfo(operator)?.sinkTopics ?? []) if (topic !== 'dynamic' && !internal.has(topic)) sinks.add(topic)
    }
    for (const policy of [this.options.onDeserializationError, this.options.onProcessingError]) if (typeof policy === 'object') sinks.add(policy.deadLetter)
    const sources = new Set(graph.externalSourceTopics())
    for (const global of graph.globalStores.values()) sources.add(global.topic)
    return { sources: [...sources], sinks: [...sinks] }
  }

  /** Resolves when the app has stopped; rejects with the error that stopped it. */
  get done(): Promise<void> {
    if (this.runner === undefined) return Promise.resolve()
    const runnerDone = this.runner.done.finally(() => this.stopServices())
    const finished = this.serviceFailure === undefined ? runnerDone : Promise.race([runnerDone, this.serviceFailure])
    return finished.finally(() => this.release())
  }

  /** Finishes the records in hand, commits, and closes (connectors declared in the app too). */
  async stop(): Promise<void> {
    await this.runner?.stop()
    await this.stopServices()
    await this.release()
  }

  /**
   * Serves metrics, health and the dashboard when asked. The port the environment names goes to
   * one app of the process at a time (the first started; the next once it stopped): others run
   * without a server, and say so.
   */
  private async startObserveServer(): Promise<void> {
    const observe = this.options.observe
    if (observe === undefined) return
    if (observe.fromEnvironment) {
      const holder = environmentPortApp
      if (holder !== undefined) {
        this.options.logger.warn(`${this.id}: no metrics or dashboard server: the port of ${observe.dashboard ? DASHBOARD_PORT_ENV : METRICS_PORT_ENV} (${observe.port}) serves app ${holder} of this process`)
        return
      }
      environmentPortApp = this.id
    }
    try {
      this.observeServer = await startObserveServer(this, observe)
    } catch (error) {
      if (observe.fromEnvironment) environmentPortApp = undefined
      throw error
    }
    const { url } = this.observeServer.address()
    this.options.logger.info(`${this.id}: ${observe.dashboard ? `dashboard at ${url}/, ` : ''}metrics at ${url}/metrics, health at ${url}/health/ready`)
  }

  /** The services of `app.source(...)` and of `sink(...)` operators: started before the tasks. */
  private async startServices(log: Log): Promise<void> {
    const fromOperators = this.builder.graph.nodes.flatMap((node) => (node.kind === 'pipe' ? node.operators.flatMap((operator) => operatorInfo(operator)?.services ?? []) : []))
    const failures: Promise<never>[] = []
    for (const service of [...this.services, ...fromOperators]) {
      await service.start(log, { logger: this.options.logger, clock: this.options.clock })
      this.runningServices.push(service)
      failures.push(service.done.then(() => new Promise<never>(() => undefined)))
    }
    if (failures.length === 0) return
    this.serviceFailure = Promise.race(failures)
    this.serviceFailure.catch((error: unknown) => {
      this.options.logger.warn(`stopping ${this.id}: ${(error as Error).message}`)
      void this.runner?.stop().catch(() => undefined)
    })
  }

  private async stopServices(): Promise<void> {
    const services = this.runningServices
    this.runningServices = []
    await Promise.allSettled(services.map((service) => service.stop()))
  }

  /** Where the app is in its life, as Kafka Streams' states: CREATED, REBALANCING, RESTORING, RUNNING, PENDING_SHUTDOWN, NOT_RUNNING, ERROR. */
  get state(): AppState {
    return this.runner?.state ?? 'CREATED'
  }

  /**
   * Calls `listener` with each state the app moves to (Kafka Streams' `setStateListener`);
   * returns the function that removes it.
   *
   * @example
   * app.onStateChange((state) => console.log(`now ${state}`))
   */
  onStateChange(listener: (state: AppState) => void): () => void {
    this.stateListeners.push(listener)
    return () => {
      const at = this.stateListeners.indexOf(listener)
      if (at >= 0) this.stateListeners.splice(at, 1)
    }
  }

  /**
   * What the app has done and where it stands: counters, per task and per operator counts,
   * latencies, lag per input partition, store sizes (as last measured; see `measuredMetrics`),
   * cache use and restores.
   *
   * @example
   * const { recordsIn, recordsPerSecond, lag } = app.metrics()
   */
  metrics(): AppMetrics {
    const runner = this.runner
    const observations = runner?.observations() ?? {
      counters: zeroCounters(),
      state: 'CREATED' as const,
      tasks: [],
      graph: new TopologyGraph(),
      lag: [],
      processLatency: new SampleWindow(1),
      commitLatency: new SampleWindow(1),
      storeSizes: [],
      cacheBytes: 0,
      cacheMaxBytes: this.options.cacheMaxBytes,
      restores: [],
    }
    return snapshotMetrics({ ...observations, counters: { ...observations.counters } }, this.throughput.rate(this.options.clock.now(), observations.counters.recordsIn))
  }

  /**
   * `metrics()` after measuring the store shards now (their keys and bytes on disk).
   *
   * @example
   * const { stores } = await app.measuredMetrics()
   */
  async measuredMetrics(): Promise<AppMetrics> {
    await this.runner?.measureStores()
    return this.metrics()
  }

  /**
   * Where the app's HTTP server (metrics, health, dashboard; see `AppOptions.observe`) listens,
   * once started; undefined without one.
   *
   * @example
   * const { url } = app.httpAddress()!
   * await fetch(`${url}/metrics`)
   */
  httpAddress(): { readonly host: string; readonly port: number; readonly url: string } | undefined {
    return this.observeServer?.address()
  }

  private async release(): Promise<void> {
    const server = this.observeServer
    this.observeServer = undefined
    await server?.close()
    if (server !== undefined && this.options.observe?.fromEnvironment === true) environmentPortApp = undefined
    if (this.signalHandler) {
      process.off('SIGINT', this.signalHandler)
      process.off('SIGTERM', this.signalHandler)
      this.signalHandler = undefined
    }
    const log = this.openedLog
    this.openedLog = undefined
    await log?.close()
  }

  private installSignalHandlers(): void {
    this.signalHandler = () => {
      this.options.logger.info(`stopping ${this.id}: finishing the records in hand and committing`)
      this.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          this.options.logger.warn(`stopping failed: ${(error as Error).message}`)
          process.exit(1)
        },
      )
    }
    process.once('SIGINT', this.signalHandler)
    process.once('SIGTERM', this.signalHandler)
  }

  private checkNotStarted(operation: string): void {
    if (this.runner !== undefined) throw new ConfigError('app', `${operation} is not allowed after start()`)
  }
}

/** The app of this process serving on the environment's port, if any (see startObserveServer). */
let environmentPortApp: string | undefined

function isProvider(log: Log | LogProvider): log is LogProvider {
  return typeof (log as LogProvider).open === 'function' && typeof (log as Log).producer !== 'function'
}
