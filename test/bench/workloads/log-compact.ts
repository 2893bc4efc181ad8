/**
 * Compaction of a large changelog-like partition: 2,000,000 keyed records (200,000 keys, each
 * updated ten times in turn; 600-byte values) in one partition of a `compact` topic with the
 * default 1 GiB segments, as the runtime creates changelogs. The workload's process writes them;
 * a child process of its own (this file again) opens the log, runs one `runMaintenance`, which
 * compacts the sealed segment, reads the partition back and checks every key's last value. Only
 * the compaction is timed; `peak_rss_mb` is the child's (opening, compacting, reading back),
 * `compact_max_rss_mb` the highest RSS sampled during the compaction, `rss_before_compact_mb`
 * the RSS when it started.
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Consumer, ProducerRecord } from '../../../core/log/types.js'
import { elapsedMs, peakRssMb, runWorkload, scaled, withRssSampled, withTempDir, type Figures } from '../report.js'

const topic = 'changelog'
const valueBytes = 600
const batchRecords = 1_000
/** Set in the child: the data directory to compact, and the shape of what was written, as JSON. */
const childPlanVariable = 'TRIBUTARY_LOG_COMPACT_PLAN'

interface Plan {
  readonly dir: string
  readonly records: number
  readonly keys: number
}

const childPlan = process.env[childPlanVariable]
if (childPlan === undefined) {
  await runWorkload('log-compact', () =>
    withTempDir(async (dir) => {
      const records = scaled(2_000_000)
      const plan: Plan = { dir, records, keys: Math.max(1, Math.min(200_000, Math.floor(records / 10))) }
      await write(plan)
      return { records, keys: plan.keys, value_bytes: valueBytes, ...(await compactInChild(plan)) }
    }),
  )
} else {
  process.stdout.write(`${JSON.stringify(await compact(JSON.parse(childPlan) as Plan))}\n`)
}

async function write(plan: Plan): Promise<void> {
  const log = await openEmbeddedLog({ dir: plan.dir, durability: 'none', maintenanceIntervalMs: 0 })
  await log.createTopic(topic, { partitions: 1, cleanup: 'compact' })
  const producer = log.producer()
  for (let first = 0; first < plan.records; first += batchRecords) {
    const batch: ProducerRecord[] = []
    for (let sequence = first; sequence < Math.min(plan.records, first + batchRecords); sequence++) batch.push(recordOf(sequence, plan.keys))
    await producer.send(batch)
  }
  await producer.close()
  await log.close()
}

/** Runs `compact` in a child process and returns the figures it printed. */
async function compactInChild(plan: Plan): Promise<Figures> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!], {
    env: { ...process.env, [childPlanVariable]: JSON.stringify(plan) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const lines: string[] = []
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  for await (const line of createInterface({ input: child.stdout })) lines.push(line)
  const code = await closed
  const last = lines.at(-1)
  if (code !== 0 || last === undefined) throw new Error(`the compaction child exited with ${code}`)
  return JSON.parse(last) as Figures
}

async function compact(plan: Plan): Promise<Figures> {
  const log = await openEmbeddedLog({ dir: plan.dir, durability: 'none', maintenanceIntervalMs: 0 })
  const bytesBefore = (await log.describeTopic(topic)).partitions[0]?.sizeBytes ?? 0
  const rssBeforeMb = process.memoryUsage.rss() / 1e6
  const startNs = process.hrtime.bigint()
  const { result, maxRssMb } = await withRssSampled(() => log.runMaintenance())
  const seconds = elapsedMs(startNs) / 1000
  const bytesAfter = (await log.describeTopic(topic)).partitions[0]?.sizeBytes ?? 0
  const consumer = log.consumer({ isolation: 'read_uncommitted' })
  const kept = await checkLatestValues(consumer, plan)
  await consumer.close()
  await log.close()
  if (result.recordsCompacted === 0) throw new Error('nothing was compacted: the partition has no sealed segment')
  return {
    bytes_before: bytesBefore,
    bytes_after: bytesAfter,
    records_removed: result.recordsCompacted,
    records_kept: kept,
    seconds,
    rss_before_compact_mb: rssBeforeMb,
    compact_max_rss_mb: maxRssMb,
    peak_rss_mb: peakRssMb(),
  }
}

/** Record `sequence`: key `sequence % keys`, its value led by the sequence number. */
function recordOf(sequence: number, keys: number): ProducerRecord {
  const value = Buffer.alloc(valueBytes, 0x61)
  value.writeUInt32BE(sequence, 0)
  return { topic, partition: 0, key: Buffer.from(`key-${String(sequence % keys).padStart(8, '0')}`), value }
}

/** Reads the partition back and checks that the last value of every key is its last write; returns the records read. */
async function checkLatestValues(consumer: Consumer, plan: Plan): Promise<number> {
  await consumer.assign([{ topic, partition: 0 }])
  await consumer.seekToBeginning()
  const last = new Map<string, number>()
  let read = 0
  for (;;) {
    const batch = await consumer.poll({ maxRecords: 10_000 })
    if (batch.length === 0) break
    read += batch.length
    for (const record of batch) last.set(record.key!.toString(), record.value!.readUInt32BE(0))
  }
  if (last.size !== plan.keys) throw new Error(`${last.size} keys read back, ${plan.keys} written`)
  for (const [key, sequence] of last) {
    const expected = plan.records - 1 - ((plan.records - 1 - Number(key.slice(4))) % plan.keys)
    if (sequence !== expected) throw new Error(`${key} reads back write ${sequence}, its last write was ${expected}`)
  }
  return read
}
