import type { OperatorFunction } from 'rxjs'
import { LateRecordError } from '../core/runtime/errors.js'
import type { StreamRecord } from '../core/runtime/record.js'
import { readInt64, writeInt64 } from '../core/log/engine/varint.js'
import { SerdeError } from '../core/serde/errors.js'
import type { Serde } from '../core/serde/types.js'
import type { Windowed } from '../core/time/windows.js'
import type { WindowStoreSpec } from '../state/store-spec.js'
import type { LoggedWindowStore } from '../state/window-store.js'
import { KeyedQueue } from './internal/keyed-queue.js'
import { operate } from './internal/operate.js'
import type { SlidingWindows } from './sliding.js'
import type { TimedRecord, WindowedFolding } from './internal/windowed-folding.js'

/** A record kept to recompute windows from: its value and its rank in the order records came. */
export interface Arrival<V> {
  readonly arrival: number
  readonly value: V
}

/** What a sliding-window aggregation needs: its windows, its two stores, how to fold, where late records go. */
export interface SlidingAggregation<K, V, A> extends WindowedFolding<K, V, A> {
  readonly windows: SlidingWindows
  /** The aggregates, per key and window start (window size: the time difference). */
  readonly store: WindowStoreSpec
  /** The key's recent records, per key and timestamp (values: `arrivals(valueSerde)`). */
  readonly records: WindowStoreSpec
}

interface Kept<V> extends Arrival<V> {
  readonly time: number
}

/**
 * Aggregates a key's records in sliding windows (Kafka Streams' `KStreamSlidingWindowAggregate`
 * semantics, computed plainly): each record is kept in the `records` store, and the windows it
 * creates or changes are recomputed from the records in them, folded in the order they came.
 * Emitted per record, by window start: every window containing it (its left window, windows of
 * neighbours it falls in, a neighbour's right window it creates) and its own right window when it
 * creates it. A record whose left window has closed (`end + grace < stream time`) is late:
 * counted and dropped, or copied to `lateRecords`. So every window a record falls in is still
 * open when it comes, and each aggregate covers exactly the records accepted in its window.
 * Work per record: the records within about 2 × timeDifference of it, once per window it changes.
 * Used through `groupByKey().windowedBy(sliding(...)).aggregate(...)`, which declares the stores.
 *
 * @example
 * payments.groupByKey().windowedBy(sliding('10m')).aggregate(() => 0, (user, payment, total) => total + payment.amount, { name: 'spent-per-10m' })
 */
export function slidingAggregate<K, V, A>(spec: SlidingAggregation<K, V, A>): OperatorFunction<StreamRecord<K, V>, StreamRecord<Windowed<K>, A>> {
  const { windows, initializer, aggregator } = spec
  const differenceMs = windows.timeDifferenceMs
  const name = `${windows.name} aggregate(${spec.store.name})`
  return operate<StreamRecord<K, V>, StreamRecord<Windowed<K>, A>>(
    name,
    (emit, context) => {
      if (context === undefined) throw new Error(`${name} keeps its state in stores, so it runs only inside a Tributary pipeline`)
      const aggregates = context.store<LoggedWindowStore<K, A>>(spec.store.name)
      const records = context.store<LoggedWindowStore<K, readonly Arrival<V>[]>>(spec.records.name)
      const update = async (record: StreamRecord<K, V>): Promise<void> => {
        const { key, timestamp: time } = record
        // Records and windows expire by the stream time every record has been handled to, never past one in flight.
        aggregates.advanceStreamTime(context.settledStreamTime)
        records.advanceStreamTime(context.settledStreamTime)
        // Every record sharing a window with this one, and the neighbours that decide which windows exist.
        const nearby: Kept<V>[] = []
        for await (const { window, value } of records.fetchRange(key, leftStart(time, differenceMs) - 1, time + 1 + differenceMs)) {
          for (const stored of value) nearby.push({ time: window.start, ...stored })
        }
        const timesBefore = sortedTimes(nearby)
        // Records sharing a window are always neighbours, so ranks above the neighbours' order every window's records as they came.
        const arrival = nearby.reduce((last, kept) => Math.max(last, kept.arrival + 1), 0)
        const kept: Kept<V> = { time, arrival, value: record.value }
        const atTime = nearby.filter((other) => other.time === time)
        nearby.push(kept)
        nearby.sort((a, b) => a.arrival - b.arrival)
        const fold = (start: number): A => {
          let aggregate = initializer()
          for (const other of nearby) if (other.time >= start && other.time <= start + differenceMs) aggregate = aggregator(key, other.value, aggregate)
          return aggregate
        }
        // All folded before anything is stored: a value the aggregator throws on is not kept to fail again.
        const changed = changedWindows(time, sortedTimes(nearby), timesBefore, differenceMs).map((start) => ({ start, aggregate: fold(start) }))
        records.put(key, time, [...atTime, kept])
        for (const { start, aggregate } of changed) {
          aggregates.put(key, start, aggregate)
          emit({ ...record, key: { key, window: { start, end: start + differenceMs } }, value: aggregate })
        }
      }
      const handle = ({ record, streamTime }: TimedRecord<K, V>): void | Promise<void> => {
        if (record.timestamp < 0) throw new Error(`${name}: sliding windows take records at times ≥ 0, got ${record.timestamp}`)
        // Kafka Streams: a window is closed once stream time > end + grace (its end is inclusive).
        if (leftStart(record.timestamp, differenceMs) + differenceMs + windows.graceMs < streamTime) {
          context.lateRecord(record, new LateRecordError(name, record.timestamp, streamTime), spec.lateRecords)
          return
        }
        return update(record)
      }
      const queue = new KeyedQueue<TimedRecord<K, V>>(context, name, (item) => item.record, handle)
      return (record) => {
        // Records without a key or value are skipped, as in Kafka Streams.
        if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return
        queue.push(record.key, { record, streamTime: context.streamTimeOf(record) })
      }
    },
    { stores: [spec.store, spec.records] },
  )
}

/** The start of a record's left window: windows never start before 0 (as in Kafka Streams). */
function leftStart(time: number, differenceMs: number): number {
  return Math.max(0, time - differenceMs)
}

/** The distinct times of some records, ascending. */
function sortedTimes(records: readonly Kept<unknown>[]): number[] {
  return [...new Set(records.map((record) => record.time))].sort((a, b) => a - b)
}

/** The index of the first of the ascending `times` at or after `time` (their length if none). */
function firstFrom(times: readonly number[], time: number): number {
  let low = 0
  let high = times.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (times[middle]! < time) low = middle + 1
    else high = middle
  }
  return low
}

function hasTime(times: readonly number[], time: number): boolean {
  return times[firstFrom(times, time)] === time
}

/**
 * Whether the window `[start, start + differenceMs]` exists among records at `times` (ascending):
 * it holds a record, and it is the left window of a record (one at its end, or any at all for the
 * window at 0) or the right window of one (a record just before its start).
 */
function windowExists(start: number, times: readonly number[], differenceMs: number): boolean {
  const holdsRecord = (times[firstFrom(times, start)] ?? Infinity) <= start + differenceMs
  return holdsRecord && (start === 0 || hasTime(times, start + differenceMs) || hasTime(times, start - 1))
}

/**
 * The starts of the windows a record at `time` creates or changes, ascending: every window
 * containing it (from its left window's start to `time`), then its right window if the record
 * created it. `times` includes the record's time; `timesBefore` is what was there before it.
 */
function changedWindows(time: number, times: readonly number[], timesBefore: readonly number[], differenceMs: number): number[] {
  const first = leftStart(time, differenceMs)
  const candidates = new Set<number>([first])
  for (const other of times) {
    // Left windows of later records, right windows of earlier ones.
    for (const start of [other - differenceMs, other + 1]) if (start >= first && start <= time) candidates.add(start)
  }
  const starts = [...candidates].filter((start) => windowExists(start, times, differenceMs)).sort((a, b) => a - b)
  const right = time + 1
  if (windowExists(right, times, differenceMs) && !windowExists(right, timesBefore, differenceMs)) starts.push(right)
  return starts
}

/**
 * The serde of a key's records at one timestamp, in the order they came: for each, its arrival
 * rank (8 bytes, big-endian), its value's length (4 bytes, big-endian), then its value's bytes.
 *
 * @example
 * const records = arrivals(serdes.json<Payment>())
 */
export function arrivals<V>(inner: Serde<V>): Serde<readonly Arrival<V>[]> {
  const name = `arrivals(${inner.name})`
  return {
    name,
    serialize(entries, context) {
      const values = entries.map((entry) => inner.serialize(entry.value, context))
      const bytes = Buffer.allocUnsafe(values.reduce((total, value) => total + 12 + value.length, 0))
      let at = 0
      entries.forEach((entry, index) => {
        const value = values[index]!
        writeInt64(bytes, at, entry.arrival)
        bytes.writeUInt32BE(value.length, at + 8)
        value.copy(bytes, at + 12)
        at += 12 + value.length
      })
      return bytes
    },
    deserialize(bytes, context) {
      const entries: Arrival<V>[] = []
      for (let at = 0; at < bytes.length; ) {
        if (at + 12 > bytes.length) throw new SerdeError('deserialize', context, name, `${bytes.length - at} bytes left cannot hold an arrival rank and a length (12 bytes)`)
        const length = bytes.readUInt32BE(at + 8)
        if (at + 12 + length > bytes.length) throw new SerdeError('deserialize', context, name, `a value of ${length} bytes runs past the end (${bytes.length} bytes)`)
        entries.push({ arrival: readInt64(bytes, at), value: inner.deserialize(bytes.subarray(at + 12, at + 12 + length), context) })
        at += 12 + length
      }
      return entries
    },
  }
}
