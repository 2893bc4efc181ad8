/**
 * The records the pipeline benchmarks process, and the user code they run on them: log lines
 * of about 100 bytes (string serde) and events of about 200 bytes of JSON. Every value is a
 * pure function of its sequence number, so a run knows how many outputs to expect. One record
 * in 16 is filtered out.
 *
 * @example
 * const kept = keptCount(1_000_000) // 937,500
 * app.stream('in', { value: serdes.string() }).pipe(filter(lineRecords.keep), mapValues(lineRecords.transform))
 */
import { serdes, type Serde } from '../../index.js'

/** One kind of pipeline input: how to make its bytes, its serde, and the filter and map it runs. */
export interface RecordKind<V extends NonNullable<unknown>> {
  readonly name: string
  readonly serde: Serde<V>
  /** The value bytes of input record `sequence`. */
  valueBytes(sequence: number): Buffer
  /** The filter's predicate (user code, shared by the app and the log-copy baseline). */
  keep(value: V): boolean
  /** The map's function. */
  transform(value: V): V
}

/** Every sixteenth record is dropped by the filter. */
const droppedEvery = 16
const isDropped = (sequence: number): boolean => sequence % droppedEvery === droppedEvery - 1

/** Width of the level column of a log line ('DEBUG', 'INFO ' …, then a space). */
const levelColumnChars = 6
export const lineBytes = 100
const lineFiller = 'GET /api/v1/orders?page=2 200 '.repeat(4)

/** `INFO  seq=0000000042 user=u0042 msg=GET /api/…`, padded to 100 bytes; DEBUG for dropped ones. */
export function logLine(sequence: number): string {
  const level = isDropped(sequence) ? 'DEBUG ' : sequence % 7 === 0 ? 'WARN  ' : 'INFO  '
  const head = `${level}seq=${String(sequence).padStart(10, '0')} user=u${String(sequence % 10_000).padStart(4, '0')} msg=`
  return head + lineFiller.slice(0, lineBytes - head.length)
}

/** Log lines: drop DEBUG lines, then drop the level column. */
export const lineRecords: RecordKind<string> = {
  name: 'string',
  serde: serdes.string(),
  valueBytes: (sequence) => Buffer.from(logLine(sequence), 'latin1'),
  keep: (line) => !line.startsWith('DEBUG'),
  transform: (line) => line.slice(levelColumnChars),
}

/** What an event of the JSON pipeline holds. */
export interface PageEvent {
  readonly seq: number
  readonly level: 'info' | 'debug'
  readonly user: string
  readonly event: string
  readonly path: string
  readonly durationMs: number
  readonly region: string
  readonly tags: readonly string[]
  readonly session: string
  /** Added by the map. */
  readonly durationS?: number
}

export const eventBytes = 200

/** An event whose JSON is 200 bytes (the session id pads it). */
export function pageEvent(sequence: number): PageEvent {
  const event: PageEvent = {
    seq: sequence,
    level: isDropped(sequence) ? 'debug' : 'info',
    user: `user-${String(sequence % 10_000).padStart(4, '0')}`,
    event: 'page_view',
    path: `/products/${sequence % 1000}/reviews`,
    durationMs: sequence % 997,
    region: 'eu-west-1',
    tags: ['web', 'beta'],
    session: '',
  }
  const padding = eventBytes - JSON.stringify(event).length
  return { ...event, session: 's'.repeat(Math.max(0, padding)) }
}

/** Events: drop debug events, then add `durationS`. */
export const eventRecords: RecordKind<PageEvent> = {
  name: 'json',
  serde: serdes.json<PageEvent>(),
  valueBytes: (sequence) => Buffer.from(JSON.stringify(pageEvent(sequence)), 'utf8'),
  keep: (event) => event.level !== 'debug',
  transform: (event) => ({ ...event, durationS: event.durationMs / 1000 }),
}

/** How many of records 0..records-1 pass the filter. */
export function keptCount(records: number): number {
  return records - Math.floor(records / droppedEvery)
}

/** The last input sequence that passes the filter (its output is the last one written). */
export function lastKeptSequence(records: number): number {
  let sequence = records - 1
  while (sequence > 0 && isDropped(sequence)) sequence--
  return sequence
}
