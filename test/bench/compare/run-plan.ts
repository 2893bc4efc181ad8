/**
 * What the orchestrator tells a Tributary run's child process (`tributary-child.ts`), as JSON in
 * the `TRIBUTARY_COMPARE_RUN` environment variable.
 *
 * @example
 * spawn(process.execPath, ['--import', 'tsx', childScript], { env: { ...process.env, [runPlanVariable]: JSON.stringify(plan) } })
 */
import type { Processing, QueryName } from './queries.js'

export interface TributaryRunPlan {
  /** The log: Kafka brokers (`host:port,...`) or an embedded log's folder. */
  readonly log: { readonly kafka: string } | { readonly embeddedDir: string }
  readonly query: QueryName
  readonly processing: Processing
  readonly appId: string
  readonly output: string
  readonly stateDir: string
  /** Partitions of the repartition topics it creates (those of the inputs). */
  readonly partitions: number
}

export const runPlanVariable = 'TRIBUTARY_COMPARE_RUN'
