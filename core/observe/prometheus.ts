import { Counter, Gauge, Registry } from 'prom-client'
import type { AppMetrics } from '../runtime/app-metrics.js'
import type { AppState } from '../runtime/app-state.js'

type Labels = Record<string, string | number>
type Sample = readonly [Labels, number]
type Read = (metrics: AppMetrics) => readonly Sample[]

const STATES: readonly AppState[] = ['CREATED', 'REBALANCING', 'RESTORING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING', 'ERROR']

const one = (value: number): Sample[] => [[{}, value]]
const seconds = (ms: number): number => ms / 1000

/** Every metric: name, help, label names, and how its samples are read from a snapshot. */
const COUNTERS: readonly [string, string, readonly string[], Read][] = [
  ['tributary_records_in_total', 'Records taken from the input topics.', [], (m) => one(m.recordsIn)],
  ['tributary_records_out_total', 'Records written (outputs, changelog records, dead letters).', [], (m) => one(m.recordsOut)],
  ['tributary_records_skipped_total', 'Records skipped by an error policy of skip.', [], (m) => one(m.skipped)],
  ['tributary_records_dead_lettered_total', 'Records sent to a dead-letter topic.', [], (m) => one(m.deadLettered)],
  ['tributary_records_late_total', 'Records too late for every window they fall in.', [], (m) => one(m.lateRecords)],
  ['tributary_commits_total', 'Commits made.', [], (m) => one(m.commits)],
  ['tributary_commit_seconds_total', 'Time spent committing.', [], (m) => one(seconds(m.commitLatency.totalMs))],
  ['tributary_task_records_in_total', 'Records pushed into a task.', ['task'], (m) => m.tasks.map((t) => [{ task: t.task }, t.recordsIn])],
  ['tributary_task_records_out_total', 'Records a task handed over for writing.', ['task'], (m) => m.tasks.map((t) => [{ task: t.task }, t.recordsOut])],
  ['tributary_operator_records_in_total', 'Records a node of the topology took in, per task.', ['task', 'operator', 'name'], (m) => m.operators.map((o) => [{ task: o.task, operator: o.operator, name: o.name }, o.recordsIn])],
  ['tributary_operator_records_out_total', 'Records a node of the topology handed on, per task.', ['task', 'operator', 'name'], (m) => m.operators.map((o) => [{ task: o.task, operator: o.operator, name: o.name }, o.recordsOut])],
  ['tributary_topic_records_out_total', "Records the app's sinks sent to a topic.", ['topic'], (m) => m.topics.map((t) => [{ topic: t.topic }, t.recordsOut])],
  ['tributary_cache_hits_total', 'Store lookups answered by a cache.', [], (m) => one(m.cache.hits)],
  ['tributary_cache_misses_total', 'Store lookups the caches could not answer.', [], (m) => one(m.cache.misses)],
]

const GAUGES: readonly [string, string, readonly string[], Read][] = [
  ['tributary_app_state', 'The app state (1 for the current one), as Kafka Streams states.', ['state'], (m) => STATES.map((state) => [{ state }, state === m.state ? 1 : 0])],
  ['tributary_records_per_second', 'Records in per second over the last seconds.', [], (m) => one(m.recordsPerSecond)],
  ['tributary_process_latency_seconds', "A record's time through its task's chain (sampled).", ['quantile'], (m) => [[{ quantile: '0.5' }, seconds(m.processLatency.p50Ms)], [{ quantile: '0.99' }, seconds(m.processLatency.p99Ms)]]],
  ['tributary_commit_latency_seconds', 'Time of recent commits.', ['quantile'], (m) => [[{ quantile: '0.5' }, seconds(m.commitLatency.p50Ms)], [{ quantile: '0.99' }, seconds(m.commitLatency.p99Ms)]]],
  ['tributary_consumer_lag', 'Records of an input partition past what the app has processed.', ['topic', 'partition'], (m) => m.lag.map((l) => [{ topic: l.topic, partition: l.partition }, l.lag])],
  ['tributary_store_keys', "A store shard's estimate of its keys.", ['store', 'partition'], (m) => m.stores.flatMap((s) => (s.keys === undefined ? [] : [[{ store: s.store, partition: s.partition }, s.keys] as const]))],
  ['tributary_store_disk_bytes', "Bytes of a store shard's files.", ['store', 'partition'], (m) => m.stores.flatMap((s) => (s.diskBytes === undefined ? [] : [[{ store: s.store, partition: s.partition }, s.diskBytes] as const]))],
  ['tributary_cache_bytes', 'Bytes the store caches hold.', [], (m) => one(m.cache.bytes)],
  ['tributary_cache_max_bytes', 'Bytes the store caches may hold together.', [], (m) => one(m.cache.maxBytes)],
  ['tributary_cache_hit_ratio', 'Share of store lookups answered by a cache.', [], (m) => (m.cache.hitRate === undefined ? [] : one(m.cache.hitRate))],
  ['tributary_restore_records', 'Records restored into a store shard from its changelog.', ['store', 'partition'], (m) => m.restores.map((r) => [{ store: r.store, partition: r.partition }, r.restored])],
  ['tributary_restore_total_records', 'Records a store shard restores in all.', ['store', 'partition'], (m) => m.restores.map((r) => [{ store: r.store, partition: r.partition }, r.total])],
]

/**
 * An app's metrics in the Prometheus text format, from a registry of its own (not prom-client's
 * global one, so several apps in a process do not mix), every series labelled with the app id.
 * Values are read from a snapshot at each scrape; rates are left to Prometheus (`rate()`).
 *
 * @example
 * const exposition = new PrometheusExposition('wordcount')
 * const text = await exposition.render(app.metrics())
 */
export class PrometheusExposition {
  readonly registry = new Registry()
  private current: AppMetrics | undefined

  constructor(appId: string) {
    this.registry.setDefaultLabels({ app: appId })
    const read = (samples: Read): readonly Sample[] => (this.current === undefined ? [] : samples(this.current))
    for (const [name, help, labelNames, samples] of COUNTERS) {
      new Counter({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset()
          for (const [labels, value] of read(samples)) this.inc(labels, value)
        },
      })
    }
    for (const [name, help, labelNames, samples] of GAUGES) {
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        collect() {
          this.reset()
          for (const [labels, value] of read(samples)) this.set(labels, value)
        },
      })
    }
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** The text of a scrape, for this snapshot. */
  async render(metrics: AppMetrics): Promise<string> {
    this.current = metrics
    try {
      return await this.registry.metrics()
    } finally {
      this.current = undefined
    }
  }
}
