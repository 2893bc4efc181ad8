/**
 * What the Kafka count tests share with their child processes: how an instance of the count app
 * (test/crash/count-workload.ts) connects to the broker, and how fast it notices a lost member.
 * No vitest here: the child imports it.
 */
import type { KafkaLogOptions } from '../../index.js'
import type { CountAppTuning, CountNames } from '../crash/count-workload.js'

/**
 * The broker's lower bound (`group.min.session.timeout.ms`): a killed or paused instance loses its
 * partitions after this long without a heartbeat.
 */
export const SESSION_TIMEOUT_MS = 6_000

/** Commits as under exactly_once by default; polls small enough that a run takes many transactions. */
export const KAFKA_COUNT_TUNING: Omit<CountAppTuning, 'names'> = { commitIntervalMs: 100, maxPollRecords: 200 }

/** How instance `clientId` of a count app reaches the broker: quick heartbeats and fetches, a short session. */
export function kafkaCountLogOptions(bootstrap: string, clientId: string): KafkaLogOptions {
  return {
    brokers: bootstrap,
    clientId,
    heartbeatIntervalMs: 500,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    rebalanceTimeoutMs: 20_000,
    fetchMaxWaitMs: 100,
  }
}

/** A fresh app id and topics for one test, so runs on a shared broker never meet. */
export function uniqueCountNames(label: string): CountNames {
  const suffix = `${label}-${process.pid}-${Date.now().toString(36)}`
  return { appId: `counter-${suffix}`, input: `words-${suffix}`, output: `counts-out-${suffix}` }
}
