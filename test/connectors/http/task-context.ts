/**
 * Contexts for driving an HTTP connector's task directly (without the runner): what it logs,
 * counts and dead-letters is kept for the test to read.
 */
import { systemClock } from '../../../core/clock.js'
import { json, string } from '../../../core/serde/index.js'
import type { SinkContext, SinkRecord, SourceContext } from '../../../connectors/api/types.js'

export interface Recorded {
  readonly lines: { level: string; message: string; fields: Readonly<Record<string, unknown>> | undefined }[]
  /** Counters and gauges set through `context.metrics`. */
  readonly counters: Map<string, number>
  readonly controller: AbortController
}

function recorded(): Recorded & Pick<SourceContext, 'logger' | 'metrics'> {
  const lines: Recorded['lines'] = []
  const counters = new Map<string, number>()
  const log = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => void lines.push({ level, message, fields })
  return {
    lines,
    counters,
    controller: new AbortController(),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    metrics: { count: (name, by = 1) => void counters.set(name, (counters.get(name) ?? 0) + by), gauge: (name, value) => void counters.set(name, value) },
  } as Recorded & Pick<SourceContext, 'logger' | 'metrics'>
}

/** A source context on the system clock; `pollTimeoutMs` short so an idle poll returns soon. */
export function sourceContext(pollTimeoutMs = 50): SourceContext<string, unknown> & Recorded {
  const base = recorded()
  return {
    ...base,
    name: 'webhook-test',
    clock: systemClock,
    signal: base.controller.signal,
    serdes: { key: string(), value: json() },
    pollTimeoutMs,
    offset: () => undefined,
    offsets: () => [],
  }
}

/** A sink context whose dead letters are kept in `deadLetters`. */
export function sinkContext(): SinkContext<string, unknown> & Recorded & { readonly deadLetters: { record: SinkRecord<string, unknown>; error: Error }[] } {
  const base = recorded()
  const deadLetters: { record: SinkRecord<string, unknown>; error: Error }[] = []
  return {
    ...base,
    name: 'http-sink-test',
    clock: systemClock,
    signal: base.controller.signal,
    serdes: { key: string(), value: json() },
    deadLetters,
    async deadLetter(record, error) {
      deadLetters.push({ record, error })
    },
  }
}

/** Records of one partition of `topic`, offsets `from` … `from + count - 1`, values `{ n: offset }`. */
export function sinkRecords(topic: string, partition: number, from: number, count: number): SinkRecord<string, unknown>[] {
  return Array.from({ length: count }, (_, index) => ({ topic, partition, offset: from + index, timestamp: 1_700_000_000_000 + index, key: `k${from + index}`, value: { n: from + index }, headers: [] }))
}
