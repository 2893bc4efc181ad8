/**
 * The connector runner on Apache Kafka (a real broker): a source under exactly_once stores its
 * offsets in the same transactions as its records and resumes after a restart; a sink reads as a
 * consumer group and commits after its flush. Runs when `kafkaTestsWanted()` (CI, or TRIBUTARY_KAFKA=1).
 */
import { afterEach, describe, expect, test } from 'vitest'
import { openKafkaLog } from '../../../core/log/kafka/index.js'
import type { Log } from '../../../core/log/types.js'
import { startConnector } from '../../../connectors/index.js'
import { kafkaTestsWanted } from '../../kafka/broker.js'
import { useTestBroker } from '../../kafka/test-broker.js'
import { counterSource, memorySink, readTopic, until, type MemoryTarget } from './fixtures.js'

const quiet = { logSink: () => undefined }

describe.skipIf(!kafkaTestsWanted())('connectors on Kafka', () => {
  const bootstrap = useTestBroker()
  const logs: Log[] = []
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close()
  })
  const open = async (): Promise<Log> => {
    const log = await openKafkaLog({ brokers: bootstrap(), clientId: 'connectors-test' })
    logs.push(log)
    return log
  }

  test('a source resumes from offsets stored in the records\' transactions, and a sink gets every record once flushed', async () => {
    const suffix = Date.now().toString(36)
    const topic = `numbers-${suffix}`
    const log = await open()
    const first = await startConnector(log, { name: `count-${suffix}`, connector: counterSource(), topic, config: { max: 300, perPoll: 25 }, processing: 'exactly_once', commitInterval: 50 }, quiet)
    await until(async () => (await readTopic(log, topic)).length >= 300, 60_000)
    await first.stop()
    const second = await startConnector(log, { name: `count-${suffix}`, connector: counterSource(), topic, config: { max: 500, perPoll: 25 }, processing: 'exactly_once', commitInterval: 50 }, quiet)
    await until(async () => (await readTopic(log, topic)).length >= 500, 60_000)
    await second.stop()
    const numbers = (await readTopic(log, topic)).map((record) => (JSON.parse(record.value!.toString()) as { n: number }).n)
    expect(numbers).toEqual(Array.from({ length: 500 }, (_, n) => n))

    const target: MemoryTarget = { put: [], durable: [] }
    const sink = await startConnector(log, { name: `mem-${suffix}`, connector: memorySink(target), topics: [topic], commitInterval: 50 }, quiet)
    await until(() => target.durable.length === 500, 60_000)
    await sink.stop()
    expect(target.durable.map((record) => (record.value as { n: number }).n)).toEqual(numbers)
  }, 180_000)
})
