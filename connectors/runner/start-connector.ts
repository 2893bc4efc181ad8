import type { Log } from '../../core/log/types.js'
import { describeConfig, parseConfig } from '../api/config-schema.js'
import type { RunnerOptions } from './context.js'
import { SinkRunner } from './sink-runner.js'
import { SourceRunner } from './source-runner.js'
import type { ConnectorRunnerMetrics, ConnectorSpec, SinkSpec, SourceSpec } from './spec.js'

/** A connector the runner is running. */
export interface RunningConnector {
  readonly name: string
  /** Its counters: records, dead-lettered, retries, commits, and the connector's own. */
  metrics(): ConnectorRunnerMetrics
  /** Stops it gracefully: what was read is written (sources) or flushed (sinks) and committed. */
  stop(): Promise<void>
  /** Resolves when it has stopped; rejects with the error that stopped it. */
  readonly done: Promise<void>
}

/**
 * Starts a connector on a log: checks its config (a ConfigError names a wrong or missing field),
 * creates the topics it needs, and runs it until `stop()`. A source's offsets are stored in the
 * log, so a restarted source resumes where it stopped; a sink's consumer offsets are committed
 * only after the sink flushed.
 *
 * @example
 * const running = await startConnector(log, {
 *   name: 'orders-file', connector: fileSource, topic: 'orders',
 *   config: { path: './orders.jsonl', format: 'jsonl' }, deadLetterTopic: 'orders-dlq',
 * })
 * await running.stop()
 */
export async function startConnector(log: Log, spec: SourceSpec | SinkSpec | ConnectorSpec, options: RunnerOptions = {}): Promise<RunningConnector> {
  const runner = spec.connector.kind === 'source' ? new SourceRunner(log, spec as SourceSpec, options) : new SinkRunner(log, spec as SinkSpec, options)
  await runner.start()
  return { name: runner.name, metrics: () => runner.metrics(), stop: () => runner.stop(), get done() { return runner.done } }
}

/**
 * A connector spec as printable data, for `describe` and logs: secrets show where they come
 * from (`[secret from env:PGPASSWORD]`), never their value. Checks the config as `startConnector` would.
 *
 * @example
 * describeConnector(spec) // { name: 'orders-db', connector: 'postgres-sink', kind: 'sink', topics: ['orders'], config: { …, password: '[secret from env:PGPASSWORD]' } }
 */
export function describeConnector(spec: SourceSpec | SinkSpec | ConnectorSpec): Record<string, unknown> {
  const config = parseConfig(spec.connector.config, spec.config ?? {}, `connectors.${spec.name}.config`)
  const where = 'topic' in spec ? { topic: spec.topic } : { topics: (spec as SinkSpec).topics }
  return {
    name: spec.name,
    connector: spec.connector.name,
    kind: spec.connector.kind,
    ...where,
    ...(spec.deadLetterTopic === undefined ? {} : { deadLetterTopic: spec.deadLetterTopic }),
    config: describeConfig(config),
  }
}
