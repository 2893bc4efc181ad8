import { App } from '../runtime/app.js'
import type { QueryableStore } from '../runtime/queryable-store.js'
import { inMemoryStores } from '../../state/backend/memory-backend.js'
import type { AppOptions } from '../runtime/app-options.js'
import type { AppRunner } from '../runtime/app-runner.js'
import { ManualClock } from '../manual-clock.js'
import { createMemoryLog } from '../log/memory/index.js'
import type { Log, RecordHeader } from '../log/types.js'
import { decode, encode, type AnySerde, type RawBytes, type SerdeType } from '../runtime/serde-codec.js'

export interface TestDriverOptions {
  /** The app id (default `test-app`). */
  readonly appId?: string
  readonly processing?: AppOptions['processing']
  readonly onDeserializationError?: AppOptions['onDeserializationError']
  readonly onProcessingError?: AppOptions['onProcessingError']
  /** The fake wall clock's start (default 2024-01-01T00:00:00Z). */
  readonly startTimeMs?: number
  /** Partitions of topics the driver creates (default 1 each). */
  readonly partitions?: Readonly<Record<string, number>>
  /** Store backend: memory by default (nothing on disk); `rocksdbStores()` with a `stateDir` tests the real one. */
  readonly stores?: AppOptions['stores']
  readonly stateDir?: string
  /** Store cache size (default the app's 10 MiB; 0 forwards every update at once). */
  readonly cacheMaxBytes?: number
  /** The app's idle timeout: stream time follows the fake wall clock after this long without records. */
  readonly idleTimeout?: AppOptions['idleTimeout']
}

/** A record as a test writes or reads it. */
export interface TestRecord<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp: number
  readonly headers: readonly RecordHeader[]
  readonly partition: number
}

type Typed<S> = S extends AnySerde<unknown> ? SerdeType<S> : RawBytes

/**
 * Runs an app's topology in memory, with a fake clock, for unit tests (what Kafka Streams
 * users know as TopologyTestDriver). Each `send` is processed to the end before it returns,
 * async steps included, and its outputs are readable at once.
 *
 * @example
 * const driver = await TestDriver.start((app) => wordcount(app))
 * await driver.input('lines', { value: serdes.string() }).send('a b a')
 * driver.output('words', { key: serdes.string(), value: serdes.string() }).readValues() // ['a', 'b', 'a']
 * await driver.close()
 */
export class TestDriver {
  readonly clock: ManualClock
  private readonly read = new Map<string, number[]>()

  private constructor(
    readonly app: App,
    readonly log: Log,
    private readonly runner: AppRunner,
    clock: ManualClock,
  ) {
    this.clock = clock
  }

  /** Builds the app with `setup`, creates its topics in a memory log, and starts it. */
  static async start(setup: (app: App) => void, options: TestDriverOptions = {}): Promise<TestDriver> {
    const clock = new ManualClock(options.startTimeMs ?? Date.UTC(2024, 0, 1))
    const log = createMemoryLog({ clock })
    const app = new App({
      id: options.appId ?? 'test-app',
      log,
      clock,
      handleSignals: false,
      ...(options.processing === undefined ? {} : { processing: options.processing }),
      ...(options.onDeserializationError === undefined ? {} : { onDeserializationError: options.onDeserializationError }),
      ...(options.onProcessingError === undefined ? {} : { onProcessingError: options.onProcessingError }),
      stores: options.stores ?? inMemoryStores(),
      ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
      ...(options.cacheMaxBytes === undefined ? {} : { cacheMaxBytes: options.cacheMaxBytes }),
      ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    })
    setup(app)
    const { sources, sinks } = app.topics()
    for (const topic of [...new Set([...sources, ...sinks])]) await log.createTopic(topic, { partitions: options.partitions?.[topic] ?? 1 })
    const runner = await app.startManual(log)
    const driver = new TestDriver(app, log, runner, clock)
    await driver.settle()
    return driver
  }

  /** Creates an extra topic (a dead-letter topic, a dynamic route's target). */
  async createTopic(topic: string, partitions = 1): Promise<void> {
    await this.log.createTopic(topic, { partitions })
  }

  /** A typed writer for an input topic. */
  input<KS extends AnySerde<unknown> | undefined = undefined, VS extends AnySerde<unknown> | undefined = undefined>(
    topic: string,
    serdes: { readonly key?: KS; readonly value?: VS } = {},
  ): TestInput<Typed<KS>, Typed<VS>> {
    return new TestInput(this, topic, serdes.key as AnySerde<unknown> | undefined, serdes.value as AnySerde<unknown> | undefined)
  }

  /** A typed reader of an output topic: each read returns what came since the last one. */
  output<KS extends AnySerde<unknown> | undefined = undefined, VS extends AnySerde<unknown> | undefined = undefined>(
    topic: string,
    serdes: { readonly key?: KS; readonly value?: VS } = {},
  ): TestOutput<Typed<KS>, Typed<VS>> {
    return new TestOutput(this, topic, serdes.key as AnySerde<unknown> | undefined, serdes.value as AnySerde<unknown> | undefined)
  }

  /** Moves the fake wall clock and processes what that triggers. */
  async advanceTime(ms: number): Promise<void> {
    this.clock.advance(ms)
    await this.settle()
  }

  /** Processes until nothing is left, then commits so outputs are visible. */
  async settle(): Promise<void> {
    while ((await this.runner.step()) > 0) {
      // keep going: outputs of one step may be inputs of the next (repartition topics)
    }
    await this.runner.commitNow()
    if ((await this.runner.step()) > 0) await this.settle()
  }

  /** Reads a store of the app, as `app.store(name)` does. */
  store<K, V>(name: string): QueryableStore<K, V> {
    return this.app.store<K, V>(name)
  }

  metrics(): ReturnType<App['metrics']> {
    return this.app.metrics()
  }

  async close(): Promise<void> {
    await this.runner.shutdown()
    await this.log.close()
  }

  /** @internal The offsets already read per partition of a topic. */
  positions(topic: string, partitions: number): number[] {
    let positions = this.read.get(topic)
    if (positions === undefined) {
      positions = new Array<number>(partitions).fill(0)
      this.read.set(topic, positions)
    }
    return positions
  }
}

/** Writes typed records to an input topic of a TestDriver. */
export class TestInput<K, V> {
  constructor(
    private readonly driver: TestDriver,
    readonly topic: string,
    private readonly keySerde: AnySerde<unknown> | undefined,
    private readonly valueSerde: AnySerde<unknown> | undefined,
  ) {}

  /** Sends one record (timestamp: the driver's clock unless given) and processes it. */
  async send(value: V, options: { key?: K; timestamp?: number; headers?: readonly RecordHeader[]; partition?: number } = {}): Promise<void> {
    await this.sendAll([{ value, ...options }])
  }

  /** Sends several records and processes them. */
  async sendAll(records: readonly { value: V; key?: K; timestamp?: number; headers?: readonly RecordHeader[]; partition?: number }[]): Promise<void> {
    await this.driver.log.producer().send(
      records.map((record) => ({
        topic: this.topic,
        key: encode(this.keySerde, record.key ?? null, { topic: this.topic, isKey: true }),
        value: encode(this.valueSerde, record.value, { topic: this.topic, isKey: false }),
        timestamp: record.timestamp ?? this.driver.clock.now(),
        headers: record.headers ?? [],
        ...(record.partition === undefined ? {} : { partition: record.partition }),
      })),
    )
    await this.driver.settle()
  }
}

/** Reads typed records from an output topic of a TestDriver. */
export class TestOutput<K, V> {
  constructor(
    private readonly driver: TestDriver,
    readonly topic: string,
    private readonly keySerde: AnySerde<unknown> | undefined,
    private readonly valueSerde: AnySerde<unknown> | undefined,
  ) {}

  /** Records written since the last read, partition by partition. */
  async readAll(): Promise<TestRecord<K, V>[]> {
    const { partitions } = await this.driver.log.describeTopic(this.topic)
    const positions = this.driver.positions(this.topic, partitions.length)
    const consumer = this.driver.log.consumer({ isolation: 'read_committed' })
    await consumer.assign(partitions.map(({ partition }) => ({ topic: this.topic, partition })))
    const records: TestRecord<K, V>[] = []
    for (const { partition } of partitions) consumer.seek({ topic: this.topic, partition }, positions[partition]!)
    for (let batch = await consumer.poll(); batch.length > 0; batch = await consumer.poll()) {
      for (const record of batch) {
        records.push({
          key: decode(this.keySerde, record.key, { topic: this.topic, isKey: true, headers: record.headers }) as K,
          value: decode(this.valueSerde, record.value, { topic: this.topic, isKey: false, headers: record.headers }) as V,
          timestamp: record.timestamp,
          headers: record.headers,
          partition: record.partition,
        })
      }
    }
    for (const { partition } of partitions) positions[partition] = consumer.position({ topic: this.topic, partition })
    await consumer.close()
    return records
  }

  /** The values written since the last read. */
  async readValues(): Promise<V[]> {
    return (await this.readAll()).map((record) => record.value)
  }

  /** Key and value pairs written since the last read. */
  async readKeyValues(): Promise<[K, V][]> {
    return (await this.readAll()).map((record) => [record.key, record.value])
  }
}
