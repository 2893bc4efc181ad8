import { Observable, type OperatorFunction } from 'rxjs'
import type { AnySerde } from '../core/runtime/serde-codec.js'
import type { StreamRecord } from '../core/runtime/record.js'
import { describeOperator } from '../core/runtime/topology.js'

export interface RepartitionOptions<K, V> {
  /** Names the internal topic `<app id>-<name>-repartition`; by default a number does. */
  readonly name?: string
  /** Partitions of the internal topic; by default as many as the widest input topic. */
  readonly partitions?: number
  /** Serdes for the internal topic; JSON by default. */
  readonly key?: AnySerde<K>
  readonly value?: AnySerde<V>
}

/**
 * Moves each record to the partition its (new) key belongs to, through an internal topic,
 * so that grouping and joins see every record of a key in one task. The stream after it is
 * a new sub-topology.
 *
 * @example
 * words.pipe(selectKey((w) => w.toLowerCase()), repartition({ name: 'by-word', partitions: 4 }))
 */
export function repartition<K, V>(options: RepartitionOptions<K, V> = {}): OperatorFunction<StreamRecord<K, V>, StreamRecord<K, V>> {
  const operator = (): Observable<StreamRecord<K, V>> => {
    throw new Error('repartition() works only inside Stream.pipe: it splits the app into sub-topologies')
  }
  return describeOperator(operator, {
    name: 'repartition',
    repartition: {
      name: options.name,
      partitions: options.partitions,
      key: options.key as AnySerde<unknown> | undefined,
      value: options.value as AnySerde<unknown> | undefined,
    },
  })
}
