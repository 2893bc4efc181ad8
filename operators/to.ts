import type { OperatorFunction } from 'rxjs'
import type { StreamRecord } from '../core/runtime/record.js'
import type { SinkSerdes, TopicChooser } from '../core/runtime/stream.js'
import { operate } from './internal/operate.js'

/**
 * Writes each record to a topic, or to the topic a function picks for it (dynamic routing).
 * The write becomes durable, with the input offsets, at the next commit.
 *
 * @example
 * counts.pipe(to('word-counts', { key: serdes.string(), value: serdes.int64() }))
 * events.pipe(to((r) => `events-${r.value.region}`, { value: serdes.json<Event>() }))
 */
export function to<K, V>(topic: TopicChooser<K, V>, serdes: SinkSerdes<K, V> = {}): OperatorFunction<StreamRecord<K, V>, never> {
  const name = typeof topic === 'string' ? `to ${topic}` : 'to (dynamic)'
  return operate<StreamRecord<K, V>, never>(name, (_emit, context) => {
    if (context === undefined) throw new Error(`${name} runs only inside a Tributary app`)
    const fixed = typeof topic === 'string' ? { topic, key: serdes.key, value: serdes.value } : undefined
    return (record) => {
      const target = fixed ?? { topic: (topic as (r: StreamRecord<K, V>) => string)(record), key: serdes.key, value: serdes.value }
      context.send(target, record)
    }
  }, { sinkTopics: [typeof topic === 'string' ? topic : 'dynamic'] })
}
