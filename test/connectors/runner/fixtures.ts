import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import { openEmbeddedLog } from '../../../core/log/embedded/index.js'
import type { Consumer, Log, LogRecord } from '../../../core/log/types.js'
import { ConnectorError, defineSink, defineSource, field, RecordRejectedError, type SinkRecord } from '../../../connectors/index.js'
import type { LogSink } from '../../../connectors/runner/context.js'

/** A fresh embedded log per test, closed and removed after it. */
export function useLogs(): { open(): Promise<Log>; dir(): string } {
  const dirs: string[] = []
  const logs: Log[] = []
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close().catch(() => undefined)
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return {
    dir: () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'tributary-connect-'))
      dirs.push(dir)
      return dir
    },
    async open() {
      const dir = mkdtempSync(path.join(tmpdir(), 'tributary-connect-'))
      dirs.push(dir)
      const log = await openEmbeddedLog({ dir })
      logs.push(log)
      return log
    },
  }
}

/** Every record of a topic, from the beginning to its end offsets as they are now (read_committed). */
export async function readTopic(log: Log, topic: string): Promise<LogRecord[]> {
  const description = await log.describeTopic(topic)
  const consumer = log.consumer({ isolation: 'read_committed' })
  const records: LogRecord[] = []
  try {
    const partitions = description.partitions.map((p) => ({ topic, partition: p.partition }))
    await consumer.assign(partitions)
    await consumer.seekToBeginning(partitions)
    const deadline = Date.now() + 30_000
    const behind = () => description.partitions.some((p) => consumer.position({ topic, partition: p.partition }) < p.endOffset)
    while (behind() && Date.now() < deadline) {
      const batch = await consumer.poll({ timeoutMs: 200 })
      records.push(...batch)
      // Past the last committed record only markers or open transactions remain: nothing more to read.
      if (batch.length === 0 && partitionsDone(consumer, topic, description.partitions)) break
    }
  } finally {
    await consumer.close()
  }
  return records
}

function partitionsDone(consumer: Consumer, topic: string, partitions: readonly { partition: number }[]): boolean {
  return partitions.every((p) => consumer.currentLag({ topic, partition: p.partition }) === 0)
}

/** Log lines captured for assertions. */
export function captureLines(): { sink: LogSink; lines: string[] } {
  const lines: string[] = []
  return { lines, sink: (level, message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`) }
}

/** Resolves once `condition()` holds, checking every 5 ms (a check that throws counts as not yet); rejects after `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  let lastError: unknown
  for (;;) {
    try {
      if (await condition()) return
    } catch (error) {
      lastError = error
    }
    if (Date.now() > deadline) throw new Error('condition not met in time', { cause: lastError })
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** What the counter source is told to do, per test. */
export interface CounterScript {
  /** Polls that fail with this error before the poll succeeds (then the script is cleared). */
  failPolls?: { count: number; error: Error }
  /** Indexes rejected as bad input. */
  reject?: ReadonlySet<number>
  /** Values that the value serde cannot write (a BigInt breaks JSON). */
  unserializable?: ReadonlySet<number>
  commits?: number
}

/** A source counting 0, 1, 2, … up to `max`, `perPoll` a poll, resuming at its stored offset. */
export function counterSource(script: CounterScript = {}) {
  return defineSource({
    name: 'counter',
    config: { max: field.integer({ min: 0 }), perPoll: field.integer({ min: 1, default: 10 }), token: field.secret({ optional: true }) },
    start(config, context) {
      let next = Number(context.offset({ counter: 'c' })?.next ?? 0)
      if (config.token !== undefined) {
        context.logger.info(`connecting with token ${config.token.reveal()}`, { token: config.token.reveal() })
        context.metrics.count(`logins-${config.token.reveal()}`)
      }
      return {
        async poll() {
          if (script.failPolls !== undefined && script.failPolls.count > 0) {
            script.failPolls.count--
            throw script.failPolls.error
          }
          if (next >= config.max) {
            await new Promise((resolve) => setTimeout(resolve, 2))
            return { records: [] }
          }
          const end = Math.min(config.max, next + config.perPoll)
          const records = []
          const rejected = []
          for (let n = next; n < end; n++) {
            if (script.reject?.has(n)) rejected.push({ input: `bad ${n}`, error: new RecordRejectedError(`input ${n} is bad`), location: `counter:${n}` })
            else records.push({ key: String(n % 7), value: script.unserializable?.has(n) ? { n: BigInt(n) } : { n } })
          }
          next = end
          return { records, rejected, offsets: [{ partition: { counter: 'c' }, offset: { next } }] }
        },
        async commit() {
          script.commits = (script.commits ?? 0) + 1
        },
      }
    },
  })
}

/** What the memory sink holds: records put, records flushed (durable), and what it is told to do. */
export interface MemoryTarget {
  put: SinkRecord<unknown, unknown>[]
  durable: SinkRecord<unknown, unknown>[]
  /** Flushes that fail with this error before one succeeds. */
  failFlushes?: { count: number; error: Error }
  /** Values the target refuses (dead-lettered). */
  refuse?: (value: unknown) => boolean
  stopped?: boolean
}

/** A sink keeping records in memory: `put` buffers, `flush` makes them durable. */
export function memorySink(target: MemoryTarget) {
  return defineSink({
    name: 'memory',
    config: { label: field.string({ default: 'memory' }) },
    start(_config, context) {
      let buffered: SinkRecord<unknown, unknown>[] = []
      return {
        async put(records) {
          for (const record of records) {
            if (target.refuse?.(record.value) === true) await context.deadLetter(record, new ConnectorError(context.name, `refused ${JSON.stringify(record.value)}`))
            else buffered.push(record)
          }
          target.put.push(...records)
        },
        async flush() {
          if (target.failFlushes !== undefined && target.failFlushes.count > 0) {
            target.failFlushes.count--
            throw target.failFlushes.error
          }
          target.durable.push(...buffered)
          buffered = []
        },
        async stop() {
          target.stopped = true
        },
      }
    },
  })
}
