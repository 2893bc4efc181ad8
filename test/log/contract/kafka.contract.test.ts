/**
 * The log contract suite against a real Apache Kafka broker (KRaft, see test/kafka), through the
 * kafkajs backend: a fresh log per test, and the topics each test created deleted after it.
 *
 * The broker: the one the global setup shares (`inject('kafkaBootstrap')`) when it started one;
 * else one started here. In CI (or with TRIBUTARY_KAFKA=1) a broker that cannot start fails the
 * suite; elsewhere the suite is skipped, with a message, when there is no Java or TRIBUTARY_KAFKA=0.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, inject } from 'vitest'
import { openKafkaLog } from '../../../core/log/kafka/index.js'
import type { Consumer, ConsumerOptions, Log, Producer, ProducerOptions, TopicConfig, TopicDescription, TopicPartitionOffset } from '../../../core/log/types.js'
import { startKafka, type KafkaCluster } from '../../kafka/broker.js'
import { type LogUnderTest, logContractSuite } from './suite.js'

/** The first start may fetch the broker jars with Maven. */
const START_TIMEOUT_MS = 180_000

type BrokerPlan = { readonly bootstrap: string } | { readonly start: true } | { readonly skip: string }

function brokerPlan(): BrokerPlan {
  const shared = inject('kafkaBootstrap') as string | undefined
  if (shared !== undefined && shared !== '') return { bootstrap: shared }
  const wanted = process.env['TRIBUTARY_KAFKA']
  if (wanted === '0') return { skip: 'TRIBUTARY_KAFKA=0' }
  const ci = process.env['CI'] === 'true' || process.env['CI'] === '1'
  if (ci || wanted === '1') return { start: true }
  const java = spawnSync(process.env['JAVA_HOME'] === undefined ? 'java' : `${process.env['JAVA_HOME']}/bin/java`, ['-version'], { stdio: 'ignore' })
  return java.status === 0 ? { start: true } : { skip: 'no Java to run a Kafka broker (set JAVA_HOME, or CI=true to make this a failure)' }
}

/** A Log that remembers the topics created through it, so the test's topics can be deleted after it. */
class TopicTrackingLog implements Log {
  readonly backend = 'kafka' as const
  readonly created = new Set<string>()

  constructor(private readonly log: Log) {}

  async createTopic(name: string, config: TopicConfig): Promise<void> {
    await this.log.createTopic(name, config)
    this.created.add(name)
  }

  deleteTopic(name: string): Promise<void> {
    return this.log.deleteTopic(name)
  }

  listTopics(): Promise<string[]> {
    return this.log.listTopics()
  }

  describeTopic(name: string): Promise<TopicDescription> {
    return this.log.describeTopic(name)
  }

  deleteRecords(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.log.deleteRecords(offsets)
  }

  producer(options?: ProducerOptions): Producer {
    return this.log.producer(options)
  }

  consumer(options?: ConsumerOptions): Consumer {
    return this.log.consumer(options)
  }

  close(): Promise<void> {
    return this.log.close()
  }
}

const plan = brokerPlan()
if ('skip' in plan) console.warn(`[kafka contract] skipped: ${plan.skip}`)

describe.skipIf('skip' in plan)('kafka', () => {
  let cluster: KafkaCluster | undefined
  let bootstrap = 'bootstrap' in plan ? plan.bootstrap : ''

  beforeAll(async () => {
    if (bootstrap !== '') return
    cluster = await startKafka({ brokers: 1 })
    bootstrap = cluster.bootstrap
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await cluster?.stop()
  }, START_TIMEOUT_MS)

  async function kafkaLogUnderTest(): Promise<LogUnderTest> {
    // Quick heartbeats and fetches: a rebalance is noticed, and a paused partition resumed, in ~100 ms.
    const log = new TopicTrackingLog(await openKafkaLog({ brokers: bootstrap, clientId: 'tributary-contract', heartbeatIntervalMs: 100, fetchMaxWaitMs: 100 }))
    return {
      log,
      async destroy() {
        try {
          const existing = new Set(await log.listTopics())
          await Promise.all([...log.created].filter((topic) => existing.has(topic)).map((topic) => log.deleteTopic(topic).catch(() => undefined)))
        } finally {
          await log.close()
        }
      },
    }
  }

  logContractSuite('kafka', kafkaLogUnderTest, { reopen: false, headerOrderAcrossKeys: false })
})
