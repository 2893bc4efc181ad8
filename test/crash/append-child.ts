/**
 * The process the kill -9 test kills: opens the embedded log in the data directory given as
 * argv[2] (durability fsync), continues the sequence already in the log, and appends batches
 * until it is killed. After each acknowledged send it prints `ack <partition> <lastOffset>
 * <lastSeq>` with a synchronous write, so a line the parent read was acknowledged first.
 *
 * Usage: node --import tsx test/crash/append-child.ts <dataDir> <runId> <seed>
 *
 * Lines: `opening`, `recovered <partition> <truncatedBytes>` (per recovery event), `ready <nextSeq>`, `ack …`.
 */
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { ProducerRecord } from '../../core/log/types.js'
import { printLine, runChild } from './child-main.js'
import { seededRandom } from './seeded-random.js'
import {
  CRASH_PARTITIONS,
  CRASH_TOPIC,
  CRASH_TOPIC_CONFIG,
  MAX_VALUE_BYTES_PER_BATCH,
  decodeValue,
  encodeValue,
  nextBatchShape,
} from './workload.js'

/** Acks the parent reads before it must have killed us; a guard against a runaway child. */
const MAX_ACKS = 20_000

async function main(): Promise<void> {
  const [dir, runIdText, seedText] = process.argv.slice(2)
  if (dir === undefined || runIdText === undefined || seedText === undefined) throw new Error('usage: append-child.ts <dataDir> <runId> <seed>')
  const runId = Number(runIdText)
  const random = seededRandom(Number(seedText)).fork(runId)

  printLine('opening')
  const log = await openEmbeddedLog({ dir, durability: 'fsync', maintenanceIntervalMs: 0 })
  for (const event of log.recoveryEvents()) printLine(`recovered ${event.partition} ${event.truncatedBytes}`)
  if (!(await log.listTopics()).includes(CRASH_TOPIC)) await log.createTopic(CRASH_TOPIC, CRASH_TOPIC_CONFIG)

  let sequence = await nextSequence(log)
  printLine(`ready ${sequence}`)
  const producer = log.producer()
  for (let acks = 0; acks < MAX_ACKS; acks++) {
    const partition = random.int(0, CRASH_PARTITIONS - 1)
    const records: ProducerRecord[] = []
    let valueBytes = 0
    for (const fillerBytes of nextBatchShape(random)) {
      if (valueBytes + fillerBytes > MAX_VALUE_BYTES_PER_BATCH) break
      valueBytes += fillerBytes
      records.push({ topic: CRASH_TOPIC, partition, value: encodeValue(runId, sequence + records.length, fillerBytes) })
    }
    const metadata = await producer.send(records)
    const last = metadata[metadata.length - 1]!
    sequence += records.length
    printLine(`ack ${partition} ${last.offset} ${sequence - 1}`)
  }
  await log.close()
}

/** One past the largest sequence in the log: the last record of some partition carries it. */
async function nextSequence(log: Awaited<ReturnType<typeof openEmbeddedLog>>): Promise<number> {
  const description = await log.describeTopic(CRASH_TOPIC)
  const consumer = log.consumer({ isolation: 'read_uncommitted' })
  let next = 0
  for (const { partition, endOffset } of description.partitions) {
    if (endOffset === 0) continue
    await consumer.assign([{ topic: CRASH_TOPIC, partition }])
    consumer.seek({ topic: CRASH_TOPIC, partition }, endOffset - 1)
    const [record] = await consumer.poll({ maxRecords: 1 })
    const decoded = record === undefined ? undefined : decodeValue(record.value)
    if (decoded === undefined) throw new Error(`cannot read the last record of ${CRASH_TOPIC}-${partition} at offset ${endOffset - 1}`)
    next = Math.max(next, decoded.sequence + 1)
  }
  await consumer.close()
  return next
}

runChild('append-child', main)
