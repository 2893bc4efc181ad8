import type { RestoreProgress } from '../../state/restore.js'
import type { AppCounters, AppMetrics, LatencySummary, OperatorMetrics, PartitionLag, StoreMetrics, TaskMetrics } from './app-metrics.js'
import type { AppState } from './app-state.js'
import { nodeLabel } from './describe.js'
import type { SampleWindow } from './sample-window.js'
import type { Task } from './task.js'
import type { TopologyGraph } from './topology.js'

/** What a runner hands over for a metrics snapshot. */
export interface RunnerObservations {
  readonly counters: AppCounters
  readonly state: AppState
  readonly tasks: Iterable<Task>
  readonly graph: TopologyGraph
  readonly lag: readonly PartitionLag[]
  readonly processLatency: SampleWindow
  readonly commitLatency: SampleWindow
  readonly storeSizes: Iterable<StoreMetrics>
  readonly cacheBytes: number
  readonly cacheMaxBytes: number
  readonly restores: Iterable<RestoreProgress>
}

/** Hit and miss counts a store cache may keep (read if it does). */
interface CacheCounts {
  readonly cacheHits?: number
  readonly cacheMisses?: number
}

/**
 * Builds `app.metrics()` from what the runner counted: per task and per node of the topology
 * (a node's records in are its inputs' records out in the same task), latency quantiles, and
 * the cache's hit rate. Costs a walk of the tasks, so it runs when asked, not per record.
 *
 * @example
 * const metrics = snapshotMetrics(runner.observations(), recordsPerSecond)
 */
export function snapshotMetrics(observed: RunnerObservations, recordsPerSecond: number): AppMetrics {
  const subTopologies = observed.graph.subTopologies()
  const tasks: TaskMetrics[] = []
  const operators: OperatorMetrics[] = []
  const topics = new Map<string, number>()
  let hits = 0
  let misses = 0
  for (const task of observed.tasks) {
    tasks.push({ task: task.taskId, subTopology: task.subTopology, partition: task.partition, recordsIn: task.recordsIn, recordsOut: task.recordsOut })
    for (const node of subTopologies[task.subTopology] ?? []) {
      const recordsOut = task.nodeRecords(node.id)
      const recordsIn = node.kind === 'source' ? recordsOut : [node.parent, ...node.dependsOn].reduce((sum, input) => sum + task.nodeRecords(input.id), 0)
      operators.push({ task: task.taskId, operator: `n${node.id}`, name: nodeLabel(node), recordsIn, recordsOut })
    }
    for (const [topic, sent] of task.sentByTopic) topics.set(topic, (topics.get(topic) ?? 0) + sent)
    for (const spec of observed.graph.stores.values()) {
      const counts = task.stores?.store<CacheCounts>(spec.name)
      hits += counts?.cacheHits ?? 0
      misses += counts?.cacheMisses ?? 0
    }
  }
  return {
    ...observed.counters,
    state: observed.state,
    recordsPerSecond,
    processLatency: summarize(observed.processLatency),
    commitLatency: summarize(observed.commitLatency),
    tasks,
    operators,
    topics: [...topics].map(([topic, recordsOut]) => ({ topic, recordsOut })),
    lag: observed.lag,
    stores: [...observed.storeSizes],
    cache: { bytes: observed.cacheBytes, maxBytes: observed.cacheMaxBytes, hits, misses, hitRate: hits + misses === 0 ? undefined : hits / (hits + misses) },
    restores: [...observed.restores].map(({ store, partition, restored, total, done, elapsedMs }) => ({ store, partition, restored, total, done, elapsedMs })),
  }
}

function summarize(samples: SampleWindow): LatencySummary {
  return { p50Ms: samples.quantile(0.5), p99Ms: samples.quantile(0.99), count: samples.count, totalMs: samples.sum }
}
