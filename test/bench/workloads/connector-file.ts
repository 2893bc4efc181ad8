/**
 * The file source's throughput: a JSON-lines file of 1,000,000 lines (~100-byte records) read by
 * `file-source` through the connector runner into a one-partition topic of an embedded log
 * (durability `none`, at_least_once), timed from `startConnector` until every record is in the
 * log. Baseline in the same run: plain Node reading the same file and splitting it into lines
 * (`fs.createReadStream`, a slice per line, no parsing): `plain_records_per_s`, `ratio_to_plain`.
 * Then, with the source still running, `tail_lines` more lines are appended one write each at
 * 2,000 lines/s, each carrying the time it was written; a consumer in the same process tails
 * the topic, and `p50_ms`/`p99_ms`/`p999_ms` are the times from a line's write to its record's
 * arrival (file-system event, read, runner, log append, consumer wake-up).
 * The CPU time each phase took per record (`cpu_ns_per_record`, `plain_cpu_ns_per_record`) is
 * reported too: on a busy machine it varies much less than the rates.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Log } from '../../../core/log/types.js'
import { fileSource } from '../../../connectors/file/index.js'
import { startConnector } from '../../../connectors/runner/index.js'
import { elapsedMs, latencyFigures, mbPerSecond, runWorkload, scaled, withTempDir } from '../report.js'

const topic = 'lines'
const LF = 0x0a
/** How often the timed run looks at the runner's record count. */
const progressCheckMs = 2
/** The pace of the latency phase's appends. */
const tailLinesPerS = 2_000

await runWorkload('connector-file', () =>
  withTempDir(async (dir) => {
    const records = scaled(1_000_000)
    const path = join(dir, 'input.jsonl')
    const bytes = await writeInput(path, records)

    const plainStartNs = process.hrtime.bigint()
    const plainCpu = process.cpuUsage()
    const plainLines = await splitLines(path)
    const plainSeconds = elapsedMs(plainStartNs) / 1000
    const plainCpuNs = cpuNs(process.cpuUsage(plainCpu))
    if (plainLines !== records) throw new Error(`the plain read found ${plainLines} lines, expected ${records}`)

    const log = await openEmbeddedLog({ dir: join(dir, 'log'), durability: 'none' })
    try {
      const startNs = process.hrtime.bigint()
      const startCpu = process.cpuUsage()
      const connector = await startConnector(log, { name: 'file-bench', connector: fileSource, topic, config: { path } }, { logSink: () => undefined })
      while (connector.metrics().records < records) await new Promise((resolve) => setTimeout(resolve, progressCheckMs))
      const seconds = elapsedMs(startNs) / 1000
      const usedCpuNs = cpuNs(process.cpuUsage(startCpu))
      const endOffset = (await log.describeTopic(topic)).partitions[0]?.endOffset
      if (endOffset !== records) throw new Error(`the topic holds ${endOffset} records, expected ${records}`)
      const tailLines = scaled(4_000)
      const latencies = await tailLatencies(log, path, records, tailLines)
      await connector.stop()
      const plainRecordsPerS = records / plainSeconds
      return {
        records,
        bytes,
        seconds,
        records_per_s: records / seconds,
        mb_per_s: mbPerSecond(bytes, seconds),
        tail_lines: tailLines,
        ...latencyFigures(latencies),
        cpu_ns_per_record: usedCpuNs / records,
        plain_records_per_s: plainRecordsPerS,
        plain_cpu_ns_per_record: plainCpuNs / records,
        ratio_to_plain: records / seconds / plainRecordsPerS,
      }
    } finally {
      await log.close()
    }
  }),
)

/**
 * Appends `count` lines at `tailLinesPerS`, one write each, each holding the microseconds since
 * the phase began; returns each line's latency from its write to its record's arrival (ms).
 */
async function tailLatencies(log: Log, path: string, fromOffset: number, count: number): Promise<Float64Array> {
  const latencies = new Float64Array(count)
  const originNs = process.hrtime.bigint()
  const sinceOriginUs = (): number => Number(process.hrtime.bigint() - originNs) / 1000
  const consumer = log.consumer({ isolation: 'read_uncommitted' })
  await consumer.assign([{ topic, partition: 0 }])
  consumer.seek({ topic, partition: 0 }, fromOffset)
  const read = async (): Promise<void> => {
    let received = 0
    let emptyPolls = 0
    while (received < count) {
      const batch = await consumer.poll({ timeoutMs: 100 })
      if (batch.length === 0 && ++emptyPolls > 100) throw new Error(`the tail phase stalled after ${received} of ${count} lines`)
      for (const record of batch) {
        const { sentUs } = JSON.parse(record.value?.toString() ?? '{}') as { sentUs: number }
        latencies[received++] = (sinceOriginUs() - sentUs) / 1000
        emptyPolls = 0
      }
    }
  }
  const write = async (): Promise<void> => {
    const file = await open(path, 'a')
    try {
      for (let line = 0; line < count; line++) {
        const dueUs = (line * 1e6) / tailLinesPerS
        const waitMs = (dueUs - sinceOriginUs()) / 1000
        if (waitMs > 1) await new Promise((resolve) => setTimeout(resolve, waitMs))
        await file.write(`{"tail":${line},"sentUs":${sinceOriginUs()}}\n`)
      }
    } finally {
      await file.close()
    }
  }
  try {
    await Promise.all([read(), write()])
  } finally {
    await consumer.close()
  }
  return latencies
}

/** CPU time (user and system, all threads) in nanoseconds: steadier than wall time on a busy machine. */
function cpuNs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) * 1000
}

/** Writes `records` numbered JSON lines of about 100 bytes; returns the file's size. */
async function writeInput(path: string, records: number): Promise<number> {
  const file = await open(path, 'w')
  let bytes = 0
  try {
    const linesPerWrite = 10_000
    for (let first = 0; first < records; first += linesPerWrite) {
      let text = ''
      for (let n = first; n < Math.min(records, first + linesPerWrite); n++) {
        text += `{"id":${n},"user":"user-${n % 1000}","amount":${(n % 10_000) / 100},"ts":${1_700_000_000_000 + n},"note":"bench"}\n`
      }
      const chunk = Buffer.from(text)
      await file.write(chunk)
      bytes += chunk.length
    }
  } finally {
    await file.close()
  }
  return bytes
}

/** Plain Node: reads the file and cuts it into lines (a Buffer slice each), returning the count. */
async function splitLines(path: string): Promise<number> {
  let lines = 0
  let carry: Buffer = Buffer.alloc(0)
  let lastLine: Buffer | undefined
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
    let start = 0
    for (let end = bytes.indexOf(LF, start); end >= 0; end = bytes.indexOf(LF, start)) {
      lastLine = bytes.subarray(start, end)
      lines++
      start = end + 1
    }
    carry = bytes.subarray(start)
  }
  if (lastLine === undefined && lines > 0) throw new Error('no line kept')
  return lines
}
