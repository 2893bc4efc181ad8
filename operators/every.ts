import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { PunctuationType } from '../core/runtime/task-time.js'
import { toMillis, type Duration } from '../core/time/duration.js'
import { operate } from './internal/operate.js'

/** What a punctuator emits: records with a key and value (timestamped with the punctuation's time). */
export interface Emitted<K, V> {
  readonly key: K
  readonly value: V
}

/**
 * A punctuator: every `interval` of wall-clock time (default) or of stream time, in each task,
 * calls `fn` with the time and emits what it returns, while the stream's own records pass
 * through unchanged. The test driver's `advanceTime` moves the wall clock it follows. Like
 * Kafka Streams' punctuators, one that fell behind fires once, not once per missed interval.
 *
 * @example
 * readings.pipe(every('10s', (now) => [{ key: 'heartbeat', value: now }]))
 */
export function every<K, V>(
  interval: Duration,
  fn: (time: number) => Iterable<Emitted<K, V>>,
  options: { readonly on?: PunctuationType } = {},
): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  const intervalMs = toMillis(interval, 'interval')
  const type = options.on ?? 'wall-clock'
  return operate<StreamRecord<K, V>, StreamRecord<K, V>>(`every(${String(interval)}, ${type})`, (emit, context) => {
    if (context === undefined) throw new Error('every() schedules in a task, so it runs only inside a Tributary pipeline')
    context.schedule(type, intervalMs, (time) => {
      for (const { key, value } of fn(time)) emit({ key, value, timestamp: time, headers: [], topic: '', partition: context.partition, offset: -1 })
    })
    return (record) => emit(record)
  })
}
