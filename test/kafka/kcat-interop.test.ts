/**
 * Interop with an independent Kafka client: kcat (librdkafka) reads what a Tributary app wrote,
 * and a Tributary app processes what kcat wrote, on a real broker, under both guarantees. Keys
 * must land on the partitions Java's default partitioner picks (murmur2) on both sides.
 * Runs when `kafkaTestsWanted()` (CI, or TRIBUTARY_KAFKA=1); then a broker that cannot start, or
 * a missing kcat, fails.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { App, kafka, openKafkaLog, serdes, type Log } from '../../index.js'
import { partitionForKey } from '../../core/log/index.js'
import { mapValues } from '../../operators/index.js'
import { waitUntil } from '../runtime/helpers.js'
import { type KafkaCluster, kafkaTestsWanted, startKafka } from './broker.js'
import { type KcatRecord, kcatAvailable, kcatConsume, kcatProduce } from './kcat.js'

/** The first start may fetch the broker jars with Maven. */
const START_TIMEOUT_MS = 180_000
const TEST_TIMEOUT_MS = 90_000

type Processing = 'at_least_once' | 'exactly_once'

let nameCounter = 0
function uniqueName(prefix: string): string {
  nameCounter += 1
  return `${prefix}-${process.pid}-${nameCounter}`
}

/** An app that upper-cases the values of `input` into `output`, keys unchanged. */
function upperCaser(id: string, brokers: readonly string[], processing: Processing, input: string, output: string): App {
  const app = new App({ id, log: kafka({ brokers }), processing, handleSignals: false })
  app
    .stream(input, { key: serdes.string(), value: serdes.string() })
    .pipe(mapValues((value) => value.toUpperCase()))
    .to(output, { key: serdes.string(), value: serdes.string() })
  return app
}

/** Runs `app` until it has taken `count` records, then stops it (which flushes and commits). */
async function runUntilProcessed(app: App, count: number): Promise<void> {
  await app.start()
  try {
    await waitUntil(() => app.metrics().recordsIn >= count, `${count} records processed`, 45_000)
  } finally {
    await app.stop()
  }
}

/** kcat's read of `topic` once it holds at least `count` committed records (commit markers land just after a commit returns). */
async function kcatConsumeAtLeast(bootstrap: string, topic: string, count: number): Promise<KcatRecord[]> {
  let records: KcatRecord[] = []
  await waitUntil(
    async () => {
      records = await kcatConsume(bootstrap, topic)
      return records.length >= count
    },
    `${count} committed records in ${topic} (kcat read ${records.length})`,
    30_000,
  )
  return records
}

const byKeyAndValue = (a: KcatRecord, b: KcatRecord): number => a.key.localeCompare(b.key) || a.value.localeCompare(b.value)

describe.skipIf(!kafkaTestsWanted())('kcat and Tributary on one Kafka broker', () => {
  let cluster: KafkaCluster | undefined
  let log: Log

  beforeAll(async () => {
    if (!kcatAvailable()) throw new Error('kcat is not installed (Debian package kcat; .ci/install installs it)')
    cluster = await startKafka({ brokers: 1 })
    log = await openKafkaLog({ brokers: cluster.brokers })
  }, START_TIMEOUT_MS)

  afterAll(async () => {
    await log?.close()
    await cluster?.stop()
  }, TEST_TIMEOUT_MS)

  describe.each<Processing>(['at_least_once', 'exactly_once'])('%s', (processing) => {
    test(
      'kcat reads, read committed, exactly the records the app wrote, each on the partition of Java\'s murmur2 partitioner',
      async () => {
        const { bootstrap, brokers } = cluster as KafkaCluster
        const input = uniqueName('app-in')
        const output = uniqueName('app-out')
        // Five output partitions against three input ones: an output's partition is the partitioner's choice, not its input's.
        await log.createTopic(input, { partitions: 3 })
        await log.createTopic(output, { partitions: 5 })
        const count = 120
        const keyOf = (i: number): string => `key-${i % 23}`
        await log.producer().send(Array.from({ length: count }, (_, i) => ({ topic: input, key: Buffer.from(keyOf(i)), value: Buffer.from(`value-${i}`) })))

        await runUntilProcessed(upperCaser(uniqueName('writer'), brokers, processing, input, output), count)

        const read = await kcatConsumeAtLeast(bootstrap, output, count)
        const expected = Array.from({ length: count }, (_, i) => ({ key: keyOf(i), value: `VALUE-${i}`, partition: partitionForKey(Buffer.from(keyOf(i)), 5) }))
        expect(read.sort(byKeyAndValue)).toEqual(expected.sort(byKeyAndValue))
      },
      TEST_TIMEOUT_MS,
    )

    test(
      'the app processes the keyed records kcat wrote, which kcat put on the partitions Tributary picks for their keys',
      async () => {
        const { bootstrap, brokers } = cluster as KafkaCluster
        const input = uniqueName('kcat-in')
        const output = uniqueName('kcat-out')
        await log.createTopic(input, { partitions: 3 })
        await log.createTopic(output, { partitions: 3 })
        const count = 90
        const written = Array.from({ length: count }, (_, i) => ({ key: `user-${i % 31}`, value: `event-${i}` }))
        await kcatProduce(bootstrap, input, written)

        // kcat partitioned the records itself (murmur2_random, see kcatProduce): Tributary's partitioner must agree.
        const inputRead = await kcatConsumeAtLeast(bootstrap, input, count)
        expect(inputRead).toHaveLength(count)
        for (const record of inputRead) expect(record.partition, `partition of ${record.key}`).toBe(partitionForKey(Buffer.from(record.key), 3))

        await runUntilProcessed(upperCaser(uniqueName('reader'), brokers, processing, input, output), count)

        const outputRead = await kcatConsumeAtLeast(bootstrap, output, count)
        const expected = inputRead.map(({ key, value, partition }) => ({ key, value: value.toUpperCase(), partition }))
        expect(outputRead.sort(byKeyAndValue)).toEqual(expected.sort(byKeyAndValue))
      },
      TEST_TIMEOUT_MS,
    )
  })
})
