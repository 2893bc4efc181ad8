import type { OperatorFunction } from 'rxjs'
import { originOf, type StreamRecord } from '../core/runtime/record.js'
import { operate } from './internal/operate.js'
import { OrderedAsyncQueue } from './internal/ordered-async.js'

export interface MapAsyncOptions {
  /** How many calls run at once (default 16). Results of one key always come out in input order. */
  readonly concurrency?: number
}

/**
 * Maps each value with an async function, running up to `concurrency` calls at once while
 * keeping the order of records per key. The input offset of a record is committed only after
 * its result is written, so a crash never loses a record in flight.
 *
 * @example
 * orders.pipe(mapAsync((order) => enrichFromApi(order), { concurrency: 32 }))
 */
export function mapAsync<K, VI, VO>(
  project: (value: VI, record: StreamRecord<K, VI>) => Promise<VO>,
  options: MapAsyncOptions = {},
): OperatorFunction<StreamRecord<K, VI>, StreamRecord<K, VO>> {
  const concurrency = options.concurrency ?? 16
  return operate<StreamRecord<K, VI>, StreamRecord<K, VO>>(`mapAsync(${concurrency})`, (emit, context) => {
    const track = context ? context.track.bind(context) : () => () => undefined
    const queue = new OrderedAsyncQueue<StreamRecord<K, VO>>(concurrency, emit, track, (error, record) => {
      context?.processingError(error, record, 'mapAsync')
    })
    return (record) => {
      const origin = originOf(record) ?? context?.currentOrigin
      queue.push(record.key, origin, async () => ({ ...record, value: await project(record.value, record) }) as StreamRecord<K, VO>, record)
    }
  })
}
