/**
 * A consumer closed while kafkajs is restarting it stays closed. kafkajs restarts its consumer
 * after a retriable failure (here: the assigned topic deleted under it) on a timer it sets after
 * telling its listeners of the crash; a close that came before the timer was set left the timer
 * running, and the closed consumer started again, failing and restarting for the rest of the
 * process (71 times in the 4 s watched here, before the fix).
 *
 * Runs when `kafkaTestsWanted()` (CI, or TRIBUTARY_KAFKA=1).
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, test } from 'vitest'
import { openKafkaLog, type Consumer, type Log } from '../../index.js'
import { kafkaTestsWanted } from './broker.js'
import { useTestBroker } from './test-broker.js'

const RESTART_WARNING = /kafkajs restarts it/
/** Quick retries: a failure reaches kafkajs's restart in well under a second. */
const QUICK_RETRY = { retries: 2, initialRetryTimeMs: 50, maxRetryTimeMs: 200 }
/**
 * How long a closed consumer is watched for another restart: several times what a failure
 * takes to reach a restart with QUICK_RETRY (a leaked consumer warned every ~60 ms here).
 */
const WATCH_MS = 4_000

describe.skipIf(!kafkaTestsWanted())('a Kafka consumer closed while kafkajs restarts it', () => {
  const bootstrap = useTestBroker()

  test('does not start again', async () => {
    const warnings: string[] = []
    let consumer: Consumer | undefined
    let closing: Promise<void> | undefined
    // Armed once the topic is deleted: kafkajs may also restart on a topic too new for the broker to serve yet.
    let armed = false
    let firstRestart!: () => void
    const restarting = new Promise<void>((resolve) => (firstRestart = resolve))
    const log: Log = await openKafkaLog({
      brokers: bootstrap(),
      clientId: 'tributary-closed-consumer-test',
      retry: QUICK_RETRY,
      fetchMaxWaitMs: 100,
      logger: {
        warn(message) {
          warnings.push(message)
          if (!armed || !RESTART_WARNING.test(message) || closing !== undefined) return
          // Closed in the crash's own callback, before kafkajs has set its restart timer: the
          // narrowest window there is, reached on every run.
          closing = consumer!.close()
          firstRestart()
        },
      },
    })
    const topic = `closed-consumer-${randomUUID()}`
    try {
      await log.createTopic(topic, { partitions: 1 })
      const producer = log.producer()
      await producer.send([{ topic, value: Buffer.from('one') }])
      await producer.close()
      consumer = log.consumer()
      await consumer.assign([{ topic, partition: 0 }])
      await consumer.seekToBeginning()
      const records = []
      while (records.length === 0) records.push(...(await consumer.poll({ timeoutMs: 1_000 })))
      expect(records.map((record) => record.value?.toString())).toEqual(['one'])

      armed = true
      await log.deleteTopic(topic)
      await restarting
      await closing
      const restartsAtClose = warnings.filter((warning) => RESTART_WARNING.test(warning)).length
      // Watching for something that must not happen takes a window of time; nothing waits on it.
      await sleep(WATCH_MS)
      expect(warnings.filter((warning) => RESTART_WARNING.test(warning)).length).toBe(restartsAtClose)
    } finally {
      await consumer?.close()
      await log.close()
    }
  }, 60_000)
})
