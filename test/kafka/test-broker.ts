/**
 * The broker a Kafka test file runs against: the one the global setup shares
 * (`inject('kafkaBootstrap')`) when it started one, else one this file starts and stops.
 * Call inside a `describe.skipIf(!kafkaTestsWanted())`: in CI a broker that cannot start fails.
 */
import { afterAll, beforeAll, inject } from 'vitest'
import { startKafka, type KafkaCluster } from './broker.js'

/** The first start may fetch the broker jars with Maven. */
export const BROKER_START_TIMEOUT_MS = 180_000

/** Registers beforeAll/afterAll hooks; the returned function gives the bootstrap string once they ran. */
export function useTestBroker(): () => string {
  let cluster: KafkaCluster | undefined
  let bootstrap = ''
  beforeAll(async () => {
    const shared = inject('kafkaBootstrap') as string | undefined
    if (shared !== undefined && shared !== '') {
      bootstrap = shared
      return
    }
    cluster = await startKafka({ brokers: 1 })
    bootstrap = cluster.bootstrap
  }, BROKER_START_TIMEOUT_MS)
  afterAll(async () => {
    await cluster?.stop()
  }, BROKER_START_TIMEOUT_MS)
  return () => bootstrap
}
