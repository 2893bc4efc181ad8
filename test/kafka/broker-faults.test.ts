/**
 * A Tributary app on a three-broker cluster keeps running, and loses nothing, while a broker
 * crashes (SIGKILL) and comes back mid-stream. Topics are replicated three times with
 * `min.insync.replicas=2`, so every acknowledged write is on two brokers and the cluster takes
 * writes with one broker down. The broker killed is the app's group coordinator, the hardest
 * case: the consumer must find the new coordinator and go on as the same member (kafkajs alone
 * restarted as a new member once its retries ran out, whose join then waited for the old member's
 * session to expire: ~48 s with the broker down; ~10-19 s with coordinator-failover.ts).
 * The app upper-cases `in` into `out` while input flows; the output,
 * read committed, must hold every input exactly once under exactly_once and at least once under
 * at_least_once. When a send or a transaction outlives the client's retries (kafkajs looks up a
 * transaction coordinator with the client's 5 retries, and sends `EndTxn` without any), the app
 * takes its tasks up again from the last commit (AppOptions.taskTimeout) rather than stopping.
 */
// Tributary first: it applies its fixes of kafkajs before kafkajs loads (kafkajs-fixes.ts), as in an app.
import { App, kafka, openKafkaLog, serdes, type Consumer, type Log } from '../../index.js'
import { type Admin, Kafka, logLevel } from 'kafkajs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { mapValues } from '../../operators/index.js'
import { checkRecords } from '../chaos/checker.js'
import { reportSuite } from '../chaos/report.js'
import { readTopic, waitUntil } from '../runtime/helpers.js'
import { type KafkaCluster, kafkaTestsWanted, startKafka } from './broker.js'

/** The first start may fetch the broker jars with Maven. */
const START_TIMEOUT_MS = 180_000
const TEST_TIMEOUT_MS = 180_000
/** A broker is fenced 5 s after its last heartbeat (kafka.sh); leaders move then, and clients must follow (a consumer within about 30 s). */
const FAILOVER_TIMEOUT_MS = 90_000
const PARTITIONS = 3
/** How far the input may run ahead of the app: input keeps flowing, at the app's pace. */
const MAX_LAG = 200
/** Records the app must take in each phase: before the crash, with the broker down, after its restart. */
const RECORDS_PER_PHASE = 300

type Processing = 'at_least_once' | 'exactly_once'

let nameCounter = 0
function uniqueName(prefix: string): string {
  nameCounter += 1
  return `${prefix}-${process.pid}-${nameCounter}`
}

/**
 * Creates topics replicated on all three brokers with `min.insync.replicas=2` (createTopic waits
 * until every partition has a leader).
 */
async function createReplicatedTopics(log: Log, topics: readonly string[]): Promise<void> {
  for (const topic of topics) await log.createTopic(topic, { partitions: PARTITIONS, replicationFactor: 3, minInsyncReplicas: 2 })
}

/** The leader of every partition of `topics` (-1 where none). */
async function leaders(admin: Admin, topics: readonly string[]): Promise<number[]> {
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] })
  return metadata.topics.flatMap((topic) => topic.partitions.map((partition) => partition.leader))
}

/**
 * The broker coordinating group `groupId`: the leader of its `__consumer_offsets` partition,
 * which Kafka picks as abs(Java's String.hashCode(groupId)) % the topic's partition count.
 */
async function groupCoordinator(admin: Admin, groupId: string): Promise<number> {
  let hash = 0
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(hash, 31) + groupId.charCodeAt(i)) | 0
  const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] })
  const partitions = topics[0]?.partitions ?? []
  // Kafka's Utils.abs maps Integer.MIN_VALUE to 0.
  const partition = (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions.length
  const leader = partitions.find((p) => p.partitionId === partition)?.leader
  if (leader === undefined || leader < 0) throw new Error(`no leader for __consumer_offsets-${partition}, which coordinates ${groupId}`)
  return leader
}

/** The in-sync replicas of every partition of `topics`. */
async function inSyncReplicas(admin: Admin, topics: readonly string[]): Promise<number[][]> {
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] })
  return metadata.topics.flatMap((topic) => topic.partitions.map((partition) => [...partition.isr].sort()))
}

/**
 * Writes `value-<n>` records to `topic` in batches of 20 until stopped, never more than MAX_LAG
 * ahead of `processed()`: the input flows for as long as the test runs, at the app's pace.
 */
class Feeder {
  sent = 0
  /** Why a send failed, if one did: the input stopped flowing. */
  error: unknown
  private stopping = false
  private readonly running: Promise<void>

  constructor(log: Log, topic: string, processed: () => number, failed: () => unknown) {
    const producer = log.producer()
    this.running = (async () => {
      try {
        while (!this.stopping) {
          const from = this.sent
          await producer.send(Array.from({ length: 20 }, (_, i) => ({ topic, key: Buffer.from(`key-${(from + i) % 37}`), value: Buffer.from(`value-${from + i}`) })))
          this.sent += 20
          await waitUntil(() => this.stopping || failed() !== undefined || this.sent - processed() <= MAX_LAG, 'the app to catch up with the input', FAILOVER_TIMEOUT_MS)
          if (failed() !== undefined) break
        }
      } finally {
        await producer.close()
      }
    })()
    this.running.catch((error: unknown) => {
      this.error = error
    })
  }

  /** Stops writing; rejects if a send failed. */
  async stop(): Promise<number> {
    this.stopping = true
    await this.running
    return this.sent
  }
}

/** Reads the committed records of a topic's partitions through Tributary's consumer, keeping their values. */
class CommittedReader {
  readonly values: string[] = []
  private readonly consumer: Consumer
  private readonly assigned: Promise<void>

  constructor(log: Log, topic: string) {
    this.consumer = log.consumer({ isolation: 'read_committed' })
    this.assigned = this.consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })))
  }

  /** Reads what arrives within `timeoutMs`; resolves with how many records came. */
  async readMore(timeoutMs: number): Promise<number> {
    await this.assigned
    const batch = await this.consumer.poll({ timeoutMs })
    this.values.push(...batch.map((record) => String(record.value)))
    return batch.length
  }

  distinct(): number {
    return new Set(this.values).size
  }

  close(): Promise<void> {
    return this.consumer.close()
  }
}

/** Where the app stands on its input: what it took in and wrote, its group's committed offsets against the input's ends, and its lag. */
async function inputProgress(admin: Admin, app: App, input: string): Promise<string> {
  const { recordsIn, recordsOut, commits, lag } = app.metrics()
  let offsets: string
  try {
    const ends = await admin.fetchTopicOffsets(input)
    const [committed] = await admin.fetchOffsets({ groupId: app.id, topics: [input] })
    offsets = ends
      .sort((a, b) => a.partition - b.partition)
      .map(({ partition, high }) => `${partition}: ${committed?.partitions.find((p) => p.partition === partition)?.offset ?? '?'}/${high}`)
      .join(' ')
  } catch (error) {
    // With a broker down the admin may not reach the group's coordinator: the rest still tells.
    offsets = `not read (${(error as Error).message})`
  }
  return [`app ${app.state}, took in ${recordsIn}, wrote ${recordsOut}, ${commits} commits`, `input committed/end ${offsets}`, `app lag ${JSON.stringify(lag)}`].join('; ')
}

/**
 * Where the inputs stand when the output does not hold them all: where the app stands on its
 * input (inputProgress), and which inputs the output lacks.
 */
async function whereRecordsAre(admin: Admin, log: Log, app: App, input: string, output: string, reader: CommittedReader, sent: number): Promise<string> {
  const seen = new Set(reader.values)
  const missing: number[] = []
  for (let sequence = 0; sequence < sent; sequence++) if (!seen.has(`VALUE-${sequence}`)) missing.push(sequence)
  const outputEnds = await admin.fetchTopicOffsets(output)
  // What was written at all, committed or not: tells lost outputs from ones a read_committed reader cannot reach yet.
  const written = new Set((await readTopic(log, output, 'read_uncommitted')).map((record) => String(record.value)))
  const writtenMissing = missing.filter((sequence) => written.has(`VALUE-${sequence}`)).length
  return [
    await inputProgress(admin, app, input),
    `output ends ${outputEnds.map(({ partition, high }) => `${partition}: ${high}`).join(' ')}`,
    `output lacks ${missing.length} (${writtenMissing} of them written uncommitted or in open transactions): ${missing.slice(0, 20).join(',')}${missing.length > 20 ? ',...' : ''}`,
  ].join('; ')
}

describe.skipIf(!kafkaTestsWanted())('a Tributary app on three Kafka brokers, one of which crashes', () => {
  let cluster: KafkaCluster | undefined
  let admin: Admin
  let log: Log
  const cleanups: (() => Promise<unknown>)[] = []

  beforeAll(async () => {
    cluster = await startKafka({ brokers: 3 })
    admin = new Kafka({ clientId: 'tributary-test', brokers: [...cluster.brokers], logLevel: logLevel.NOTHING }).admin()
    await admin.connect()
    log = await openKafkaLog({ brokers: cluster.brokers })
  }, START_TIMEOUT_MS)

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {})
  }, TEST_TIMEOUT_MS)

  afterAll(async () => {
    await log?.close()
    await admin?.disconnect()
    await cluster?.stop()
  }, TEST_TIMEOUT_MS)

  describe.each<Processing>(['exactly_once', 'at_least_once'])('%s', (processing) => {
    test(
      'keeps processing through a broker crash and restart, and the output holds every input record',
      async () => {
        const running = cluster as KafkaCluster
        const input = uniqueName('in')
        const output = uniqueName('out')
        await createReplicatedTopics(log, [input, output])

        // A commit a second under at_least_once (not every 30 s): its outputs go out with each commit.
        const commitIntervalMs = processing === 'exactly_once' ? 100 : 1_000
        const app = new App({ id: uniqueName('copier'), log: kafka({ brokers: running.brokers }), processing, commitIntervalMs, handleSignals: false })
        app
          .stream(input, { key: serdes.string(), value: serdes.string() })
          .pipe(mapValues((value) => value.toUpperCase()))
          .to(output, { key: serdes.string(), value: serdes.string() })
        let failure: unknown
        await app.start()
        cleanups.push(() => app.stop())
        app.done.catch((error: unknown) => {
          failure = error
        })
        const processed = (): number => app.metrics().recordsIn
        const feeder = new Feeder(log, input, processed, () => failure)
        cleanups.push(() => feeder.stop())
        /** Waits until the app has taken `count` more records (and `also` holds), failing at once if the app stopped. */
        const progress = async (count: number, what: string, also: () => Promise<boolean> = async () => true): Promise<void> => {
          const target = processed() + count
          const phaseStartedAt = Date.now()
          try {
            await waitUntil(
              async () => {
                if (failure !== undefined) throw new Error(`the app stopped ${what}`, { cause: failure })
                if (feeder.error !== undefined) throw new Error(`a send of the input failed ${what}`, { cause: feeder.error })
                return processed() >= target && (await also())
              },
              `${count} more records processed ${what}`,
              FAILOVER_TIMEOUT_MS,
            )
          } catch (error) {
            const state = `processed ${processed()} of ${target}, sent ${feeder.sent}, leaders ${(await leaders(admin, [input, output])).join(',')}, ${Math.round((Date.now() - phaseStartedAt) / 1000)} s into the phase; ${await inputProgress(admin, app, input)}`
            throw new Error(`${(error as Error).message} (${state})`, { cause: error })
          }
        }

        await progress(RECORDS_PER_PHASE, 'before the crash')
        // The app's group coordinator (the leader of its __consumer_offsets partition): its commits
        // and its membership must move to another broker, besides the leaderships of in and out.
        const victim = await groupCoordinator(admin, app.id)
        await running.killBroker(victim)
        let restarted = false
        cleanups.push(async () => {
          if (!restarted) await running.restartBroker(victim)
        })
        await progress(RECORDS_PER_PHASE, `with broker ${victim} down`, async () => !(await leaders(admin, [input, output])).includes(victim))
        await running.restartBroker(victim)
        restarted = true
        const inSyncOnAll = async (): Promise<boolean> => (await inSyncReplicas(admin, [input, output])).every((isr) => isr.length === 3)
        await progress(RECORDS_PER_PHASE, `after broker ${victim} restarted`, inSyncOnAll)

        const sent = await feeder.stop()
        const reader = new CommittedReader(log, output)
        cleanups.push(() => reader.close())
        try {
          await waitUntil(
            async () => {
              if (failure !== undefined) throw new Error('the app stopped on the last records', { cause: failure })
              await reader.readMore(200)
              return reader.distinct() >= sent
            },
            `the output to hold all ${sent} inputs`,
            FAILOVER_TIMEOUT_MS,
          )
        } catch (error) {
          throw new Error(`${(error as Error).message} (${await whereRecordsAre(admin, log, app, input, output, reader, sent)})`, { cause: error })
        }
        expect(failure).toBeUndefined()
        await app.stop()
        // Whatever else is there already (a duplicate would be) comes with the next reads.
        while ((await reader.readMore(1_000)) > 0);
        // The input's keys spread its records over the partitions and the reader takes them as they
        // come, so the order of one producer's records is not checked here (the kill -9 suites do).
        const sequences = reader.values.map((value) => (/^VALUE-(\d+)$/.test(value) ? Number(value.slice('VALUE-'.length)) : -1)).sort((a, b) => a - b)
        const report = checkRecords({ expected: [sent], exactlyOnce: processing === 'exactly_once' }, [sequences.filter((sequence) => sequence >= 0)])
        reportSuite({ suite: `kafka-faults/broker-crash-${processing}`, runs: 1, faults_injected: 1, ...report })
        expect(sequences.filter((sequence) => sequence < 0), 'outputs the app never wrote').toEqual([])
        expect(report.problems).toEqual([])
      },
      TEST_TIMEOUT_MS,
    )
  })
})
