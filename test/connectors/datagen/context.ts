/**
 * Contexts for driving a connector's task directly, without the runner: a clock, an abort
 * signal, serdes, offsets from a map, metrics and dead letters collected in arrays.
 */
import type { Clock } from '../../../core/clock.js'
import { json, string, type Serde } from '../../../core/serde/index.js'
import type { ConnectorContext, SinkContext, SinkRecord, SourceContext, SourceOffset, SourcePartition } from '../../../connectors/api/types.js'

export interface TestContextOptions<K, V> {
  readonly clock: Clock
  readonly serdes?: { readonly key: Serde<K>; readonly value: Serde<V> }
  readonly pollTimeoutMs?: number
  readonly name?: string
}

export interface TestParts {
  readonly controller: AbortController
  readonly counters: Map<string, number>
  readonly logLines: string[]
}

function common<K, V>(options: TestContextOptions<K, V>, parts: TestParts): ConnectorContext<K, V> {
  const line = (level: string) => (message: string) => void parts.logLines.push(`${level} ${message}`)
  return {
    name: options.name ?? 'test',
    logger: { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') },
    metrics: {
      count: (name, by = 1) => void parts.counters.set(name, (parts.counters.get(name) ?? 0) + by),
      gauge: (name, value) => void parts.counters.set(name, value),
    },
    clock: options.clock,
    signal: parts.controller.signal,
    serdes: options.serdes ?? ({ key: string(), value: json() } as unknown as { key: Serde<K>; value: Serde<V> }),
  }
}

function newParts(): TestParts {
  return { controller: new AbortController(), counters: new Map(), logLines: [] }
}

/** A source context whose offsets start as `stored` (keyed by the partition's JSON). */
export function sourceContext<K = string, V = unknown>(
  options: TestContextOptions<K, V>,
  stored: ReadonlyMap<string, SourceOffset> = new Map(),
): SourceContext<K, V> & TestParts {
  const parts = newParts()
  return {
    ...common(options, parts),
    ...parts,
    pollTimeoutMs: options.pollTimeoutMs ?? 100,
    offset: (partition: SourcePartition) => stored.get(JSON.stringify(partition)),
    offsets: () => [...stored].map(([partition, offset]) => ({ partition: JSON.parse(partition) as SourcePartition, offset })),
  }
}

/** A sink context that collects dead-lettered records in `deadLetters`. */
export function sinkContext<K, V>(options: TestContextOptions<K, V>): SinkContext<K, V> & TestParts & { deadLetters: { record: SinkRecord<K, V>; error: Error }[] } {
  const parts = newParts()
  const deadLetters: { record: SinkRecord<K, V>; error: Error }[] = []
  return {
    ...common(options, parts),
    ...parts,
    deadLetters,
    deadLetter: async (record, error) => void deadLetters.push({ record, error }),
  }
}
