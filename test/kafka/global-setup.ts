/**
 * Vitest global setup: one single-broker Kafka cluster shared by every test file of the run,
 * so that suites against the Kafka backend do not each pay for a broker start. Test files read
 * its bootstrap string with `inject('kafkaBootstrap')`; it is '' when `kafkaTestsWanted()` is
 * false, and such files skip. Listed in `test.globalSetup` of vitest.config.ts.
 *
 * @example
 * const bootstrap = inject('kafkaBootstrap')
 * describe.skipIf(bootstrap === '')('the log contract on Kafka', () => { ... })
 */
import type { TestProject } from 'vitest/node'
import { kafkaTestsWanted, startKafka } from './broker.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the shared broker, or '' when the Kafka tests do not run. */
    kafkaBootstrap: string
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!kafkaTestsWanted()) {
    project.provide('kafkaBootstrap', '')
    return async () => {}
  }
  const cluster = await startKafka({ brokers: 1 })
  project.provide('kafkaBootstrap', cluster.bootstrap)
  return () => cluster.stop()
}
