/**
 * The test side of the Kafka count tests: the child instances, the input feeder, and what the
 * checks read back from the broker (the group's members and committed offsets, the output's
 * latest count per word under read_committed).
 */
import fs from 'node:fs'
import path from 'node:path'
import kafkajs, { type Admin } from 'kafkajs'
import { afterAll, beforeAll, onTestFailed, onTestFinished } from 'vitest'
import { openKafkaLog, type IsolationLevel, type Log, type Producer, type ProducerRecord } from '../../index.js'
import { LineChild } from '../crash/child-process.js'
import { makeScratchDirectory } from '../crash/scratch.js'
import { useTestBroker } from './test-broker.js'
import { valueOf, wordOf, type CountAppTuning, type CountNames } from '../crash/count-workload.js'
import { waitUntil } from '../runtime/helpers.js'

/** A running count-kafka-child: its latest commits and records processed, and how it ended. */
export class KafkaCountChild extends LineChild {
  commits = 0
  recordsIn = 0
  recordsOut = 0
  /** Records it reported processing since its last reported commit (0 when unsure): its next commit has offsets to commit. */
  recordsSinceCommit = 0
  /** Output and changelog records it reported sending since its last reported commit (0 when unsure): they are in an open transaction. */
  sentSinceCommit = 0
  /** The `failed ...` line, if the app stopped with an error. */
  failure: string | undefined

  constructor(bootstrap: string, stateDir: string, names: CountNames, readonly clientId: string, tuning: Pick<CountAppTuning, 'cacheMaxBytes' | 'commitIntervalMs'> = {}) {
    super('../kafka/count-kafka-child.ts', [bootstrap, stateDir, names.appId, names.input, names.output, clientId, JSON.stringify(tuning)])
  }

  protected onLine(line: string): void {
    const progress = /^progress (\d+) (\d+) (\d+)$/.exec(line)
    if (progress !== null) {
      const [commits, recordsIn, recordsOut] = [Number(progress[1]), Number(progress[2]), Number(progress[3])]
      const committed = commits !== this.commits
      this.recordsSinceCommit = committed ? 0 : this.recordsSinceCommit + recordsIn - this.recordsIn
      this.sentSinceCommit = committed ? 0 : this.sentSinceCommit + recordsOut - this.recordsOut
      this.commits = commits
      this.recordsIn = recordsIn
      this.recordsOut = recordsOut
    }
    if (line.startsWith('failed ')) this.failure = line.slice('failed '.length)
  }
}

/** Waits for a child's line; fails with its stderr if it ends first or the deadline passes. */
export async function waitForChild(child: KafkaCountChild, condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    const met = await Promise.race([child.waitUntil(condition), timedOut])
    if (met === true) return
    throw new Error(`${child.clientId}: ${met === 'timeout' ? `timed out after ${timeoutMs} ms` : 'ended'} waiting for ${what}; stderr:\n${child.stderr}`)
  } finally {
    clearTimeout(timer)
  }
}

/** Input record `sequence` of the count workload. */
function inputRecord(topic: string, sequence: number): ProducerRecord {
  return { topic, key: Buffer.from(wordOf(sequence)), value: Buffer.from(valueOf(sequence)) }
}

/**
 * Produces the workload's input in small steps, each once the app has committed all but
 * `aheadRecords` of what came before: input keeps flowing while instances die and join, paced
 * by the app rather than by time.
 */
export class WordFeeder {
  produced = 0

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly committedTotal: () => Promise<number>,
    private readonly aheadRecords: number,
    private readonly stepRecords: number,
  ) {}

  /** A feeder for an input of `records` in all: steps of about 1/60 of it, at most 1/8 of it ahead of the app. */
  static forInput(producer: Producer, topic: string, records: number, committedTotal: () => Promise<number>): WordFeeder {
    return new WordFeeder(producer, topic, committedTotal, Math.max(400, Math.round(records / 8)), Math.max(50, Math.round(records / 60)))
  }

  async feedTo(target: number): Promise<void> {
    while (this.produced < target) {
      const before = this.produced
      await waitUntil(async () => (await this.committedTotal()) >= before - this.aheadRecords, `the app to commit up to ${before - this.aheadRecords} input records`, 60_000)
      const end = Math.min(target, before + this.stepRecords)
      const records: ProducerRecord[] = []
      for (let sequence = before; sequence < end; sequence++) records.push(inputRecord(this.topic, sequence))
      await this.producer.send(records)
      this.produced = end
    }
  }
}

/** The expected count of each word after input records 0 .. records-1. */
export function countsOf(records: number): Map<string, number> {
  const counts = new Map<string, number>()
  for (let sequence = 0; sequence < records; sequence++) counts.set(wordOf(sequence), (counts.get(wordOf(sequence)) ?? 0) + 1)
  return counts
}

/** The group's committed offsets of `topic` and the topic's end offsets, partition by partition. */
export async function inputProgress(log: Log, names: CountNames): Promise<{ committed: number[]; end: number[] }> {
  const { partitions } = await log.describeTopic(names.input)
  const probe = log.consumer({ groupId: names.appId })
  try {
    const committed = await probe.committed(partitions.map(({ partition }) => ({ topic: names.input, partition })))
    return { committed: committed.map((offset) => offset ?? 0), end: partitions.map(({ endOffset }) => endOffset) }
  } finally {
    await probe.close()
  }
}

export async function committedTotal(log: Log, names: CountNames): Promise<number> {
  return (await inputProgress(log, names)).committed.reduce((sum, offset) => sum + offset, 0)
}

export async function everyInputCommitted(log: Log, names: CountNames): Promise<boolean> {
  const { committed, end } = await inputProgress(log, names)
  return committed.every((offset, index) => offset === end[index])
}

/** The group's state and, per member client id, how many partitions it holds. */
export async function groupMembers(admin: Admin, groupId: string): Promise<{ state: string; partitions: Map<string, number> }> {
  const { groups } = await admin.describeGroups([groupId])
  const group = groups[0]
  const partitions = new Map<string, number>()
  for (const member of group?.members ?? []) {
    const assignment = member.memberAssignment.length === 0 ? null : kafkajs.AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
    const held = Object.values(assignment?.assignment ?? {}).reduce((sum, list) => sum + list.length, 0)
    partitions.set(member.clientId, (partitions.get(member.clientId) ?? 0) + held)
  }
  return { state: group?.state ?? 'Dead', partitions }
}

/** Waits until the group is stable with exactly these members, each holding a partition. */
export async function waitForMembers(admin: Admin, groupId: string, clientIds: readonly string[], timeoutMs = 60_000): Promise<void> {
  const wanted = [...clientIds].sort().join(',')
  let last = ''
  try {
    await waitUntil(
      async () => {
        const { state, partitions } = await groupMembers(admin, groupId)
        last = `${state}: ${[...partitions].map(([id, held]) => `${id}=${held}`).join(', ')}`
        return state === 'Stable' && [...partitions.keys()].sort().join(',') === wanted && [...partitions.values()].every((held) => held > 0)
      },
      `group ${groupId} stable with ${wanted}`,
      timeoutMs,
    )
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen ${last}`)
  }
}

/**
 * The latest count of each word in the output topic, read (read_committed unless told) from the
 * start of every partition to its end (control records included, so the end is reached once no
 * transaction is open). Records the app never writes (no key, not 8 bytes) are `problems`.
 */
export async function readOutputCounts(
  log: Log,
  topic: string,
  isolation: IsolationLevel = 'read_committed',
  timeoutMs = 30_000,
): Promise<{ counts: Map<string, number>; records: number; problems: string[] }> {
  const { partitions } = await log.describeTopic(topic)
  const consumer = log.consumer({ isolation })
  const counts = new Map<string, number>()
  const problems: string[] = []
  let records = 0
  try {
    await consumer.assign(partitions.map(({ partition }) => ({ topic, partition })))
    await consumer.seekToBeginning()
    const behind = () => partitions.filter(({ partition, endOffset }) => consumer.position({ topic, partition }) < endOffset)
    const deadline = Date.now() + timeoutMs
    while (behind().length > 0) {
      if (Date.now() > deadline) throw new Error(`reading ${topic}: partitions ${behind().map((p) => p.partition).join(', ')} not read to their end after ${timeoutMs} ms`)
      for (const record of await consumer.poll({ timeoutMs: 200 })) {
        records++
        const word = record.key?.toString('utf8')
        if (word === undefined || record.value === null || record.value.length !== 8) problems.push(`${topic}-${record.partition}@${record.offset} is not a count`)
        else counts.set(word, record.value.readDoubleBE(0))
      }
    }
    return { counts, records, problems }
  } finally {
    await consumer.close()
  }
}

/** What a count test file talks to the broker with: a Tributary log and a kafkajs admin, open while its tests run. */
export interface CountClients {
  readonly bootstrap: () => string
  readonly log: () => Log
  readonly admin: () => Admin
}

/** Registers the hooks that open the broker's clients before a file's tests and close them after. */
export function useCountClients(clientId: string): CountClients {
  const bootstrap = useTestBroker()
  let log: Log | undefined
  let admin: Admin | undefined
  beforeAll(async () => {
    log = await openKafkaLog({ brokers: bootstrap(), clientId })
    admin = new kafkajs.Kafka({ clientId: `${clientId}-admin`, brokers: [bootstrap()], logLevel: kafkajs.logLevel.NOTHING }).admin()
    await admin.connect()
  })
  afterAll(async () => {
    await admin?.disconnect()
    await log?.close()
  })
  return { bootstrap, log: () => log!, admin: () => admin! }
}

/**
 * Starts the count app's instances of one test as children, each with its state in a scratch
 * directory; when the test ends they are killed and the directory removed, and if it failed
 * their stderr is printed.
 */
export function countChildren(bootstrap: string, names: CountNames, scratchPrefix: string, tuning: CountAppTuning): { readonly start: (clientId: string) => KafkaCountChild; readonly children: readonly KafkaCountChild[] } {
  const root = makeScratchDirectory(scratchPrefix, 256 * 1024 * 1024)
  const children: KafkaCountChild[] = []
  onTestFinished(async () => {
    for (const child of children) child.kill()
    await Promise.all(children.map((child) => child.exited))
    fs.rmSync(root, { recursive: true, force: true })
  })
  onTestFailed(() => {
    for (const child of children) if (child.stderr !== '') console.error(`${child.clientId} stderr:\n${child.stderr}`)
  })
  const start = (clientId: string): KafkaCountChild => {
    const child = new KafkaCountChild(bootstrap, path.join(root, clientId), names, clientId, tuning)
    children.push(child)
    return child
  }
  return { start, children }
}
