/**
 * The queries of the comparison: Nexmark q1, q2, q5, q7, q8 as the examples declare them, and
 * `copy` (the bids topic copied unchanged, the stateless baseline), each with the input topics it
 * reads and how its output keys read as text (q5's and q7's keys are window starts as float64).
 *
 * @example
 * const query = compareQueries.q5
 * query.declare(app, { inputs: DEFAULT_NEXMARK_TOPICS, output: 'q5-out' })
 * query.keyText(record.key!) // '1420070410000'
 */
import { serdes, type App } from '../../../index.js'
import type { NexmarkTopics } from '../../../connectors/nexmark/index.js'
import { q1 } from '../../../examples/nexmark/q1.js'
import { q2 } from '../../../examples/nexmark/q2.js'
import { q5 } from '../../../examples/nexmark/q5.js'
import { q7 } from '../../../examples/nexmark/q7.js'
import { q8 } from '../../../examples/nexmark/q8.js'
import type { QueryTopics } from '../../../examples/nexmark/topics.js'

export type QueryName = 'q1' | 'q2' | 'q5' | 'q7' | 'q8' | 'copy'
export type Processing = 'at_least_once' | 'exactly_once'

export const queryNames: readonly QueryName[] = ['q1', 'q2', 'q5', 'q7', 'q8', 'copy']
export const processings: readonly Processing[] = ['at_least_once', 'exactly_once']

/**
 * The same in both systems: a commit a second under at_least_once (not Kafka Streams' 30 s, which the stop condition would wait for), every 100 ms under exactly_once.
 *
 * @example
 * commitIntervalMsOf('exactly_once') // 100
 */
export function commitIntervalMsOf(processing: Processing): number {
  return processing === 'exactly_once' ? 100 : 1_000
}

export interface CompareQuery {
  /** Declares the query on an app. */
  readonly declare: (app: App, topics: QueryTopics) => void
  /** The input topics it reads. */
  readonly reads: (inputs: NexmarkTopics) => readonly string[]
  /** An output key as text, the same for both systems' bytes. */
  readonly keyText: (key: Buffer) => string
  /** A parsed output value as compared: where only the order of a list may differ, the list sorted. */
  readonly comparable?: (value: unknown) => unknown
}

const utf8Key = (key: Buffer): string => key.toString('utf8')
const float64Key = (key: Buffer): string => (key.length === 8 ? String(key.readDoubleBE(0)) : `bytes:${key.toString('hex')}`)
/** q7's value with its `bids` sorted (by their JSON text). */
function sortedBids(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('bids' in value) || !Array.isArray(value.bids)) return value
  const sorted = [...(value.bids as unknown[])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
  return { ...value, bids: sorted }
}
const bids = (inputs: NexmarkTopics): readonly string[] => [inputs.bids]

/**
 * The bids topic copied as it is: key and value bytes through unchanged, as the anchor's
 * `Copy.java` does with `Serdes.ByteArray()` (until 2026-11-27 this side parsed and re-encoded
 * every bid, work the Kafka Streams side did not do).
 */
function copy(app: App, topics: QueryTopics): void {
  app.stream(topics.inputs.bids, { key: serdes.bytes(), value: serdes.bytes() }).to(topics.output, { key: serdes.bytes(), value: serdes.bytes() })
}

export const compareQueries: Readonly<Record<QueryName, CompareQuery>> = {
  q1: { declare: q1, reads: bids, keyText: utf8Key },
  q2: { declare: q2, reads: bids, keyText: utf8Key },
  q5: { declare: q5, reads: bids, keyText: float64Key },
  // q7's bids of a window come in arrival order, which differs between tasks with several partitions.
  q7: { declare: q7, reads: bids, keyText: float64Key, comparable: sortedBids },
  q8: { declare: q8, reads: (inputs) => [inputs.persons, inputs.auctions], keyText: utf8Key },
  copy: { declare: copy, reads: bids, keyText: utf8Key },
}

/**
 * Narrows a name from the command line or the environment.
 *
 * @example
 * isQueryName('q5') // true
 */
export function isQueryName(name: string): name is QueryName {
  return (queryNames as readonly string[]).includes(name)
}
