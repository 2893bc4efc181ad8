/**
 * Contexts for running a connector's task directly in a test, without the runner: a logger
 * that keeps its lines, metrics in a map, stored offsets in a map, dead letters in an array.
 */
import { systemClock, type Clock } from '../../../core/clock.js'
import { serdes } from '../../../core/serde/index.js'
import type { ConnectorLogger, SinkContext, SinkRecord, SourceContext, SourceOffset, SourcePartition } from '../../../connectors/api/types.js'

export interface TestLogger extends ConnectorLogger {
  readonly lines: { level: string; message: string }[]
}

export function testLogger(): TestLogger {
  const lines: { level: string; message: string }[] = []
  const keep = (level: string) => (message: string) => {
    lines.push({ level, message })
  }
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') }
}

/** Source offsets stored as the runner would: by the partition's JSON. */
export class OffsetMap {
  private readonly stored = new Map<string, { partition: SourcePartition; offset: SourceOffset }>()
  get(partition: SourcePartition): SourceOffset | undefined {
    return this.stored.get(JSON.stringify(partition))?.offset
  }
  store(entries: readonly { readonly partition: SourcePartition; readonly offset: SourceOffset }[] | undefined): void {
    for (const entry of entries ?? []) this.stored.set(JSON.stringify(entry.partition), entry)
  }
  all(): { partition: SourcePartition; offset: SourceOffset }[] {
    return [...this.stored.values()]
  }
}

export interface TestSourceContext extends SourceContext<string, unknown> {
  readonly logger: TestLogger
  readonly controller: AbortController
}

export function sourceContext(options: { offsets?: OffsetMap; pollTimeoutMs?: number; clock?: Clock } = {}): TestSourceContext {
  const offsets = options.offsets ?? new OffsetMap()
  const controller = new AbortController()
  return {
    name: 'test-source',
    logger: testLogger(),
    metrics: { count: () => undefined, gauge: () => undefined },
    clock: options.clock ?? systemClock,
    signal: controller.signal,
    controller,
    serdes: { key: serdes.string(), value: serdes.json() },
    offset: (partition) => offsets.get(partition),
    offsets: () => offsets.all(),
    pollTimeoutMs: options.pollTimeoutMs ?? 50,
  }
}

export interface TestSinkContext extends SinkContext<string, unknown> {
  readonly logger: TestLogger
  readonly deadLetters: { record: SinkRecord<string, unknown>; error: Error }[]
}

export function sinkContext(options: { clock?: Clock } = {}): TestSinkContext {
  const deadLetters: { record: SinkRecord<string, unknown>; error: Error }[] = []
  return {
    name: 'test-sink',
    logger: testLogger(),
    metrics: { count: () => undefined, gauge: () => undefined },
    clock: options.clock ?? systemClock,
    signal: new AbortController().signal,
    serdes: { key: serdes.string(), value: serdes.json() },
    deadLetters,
    deadLetter: async (record, error) => {
      deadLetters.push({ record, error })
    },
  }
}

/** A sink record of `value` at `offset` of topic `t`. */
export function sinkRecord(value: unknown, offset: number): SinkRecord<string, unknown> {
  return { topic: 't', partition: 0, offset, timestamp: 0, key: null, value, headers: [] }
}
