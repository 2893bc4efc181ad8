import type { OperatorFunction } from 'rxjs'
import { ORIGIN, originOf } from '../../core/runtime/record.js'
import { operate } from './operate.js'
import { OrderedAsyncQueue, isThenable } from './ordered-async.js'

/**
 * Placed before a standard RxJS operator: notes the key of each record handed to it, so a
 * promise that operator returns can be ordered with the other records of that key.
 */
export function noteKey<T>(): OperatorFunction<T, T> {
  return operate<T, T>('note key', (emit, context) => (input) => {
    if (context !== undefined) context.currentKey = (input as { key?: unknown }).key
    emit(input)
  }, { hidden: true })
}

/**
 * Placed after a standard RxJS operator: resolves the promises it emits (a promise-returning
 * step such as `map(async (r) => …)`), tracking each until it settles and keeping the order
 * per key. Anything else passes through, behind pending promises of its key.
 */
export function awaitPromises<T>(): OperatorFunction<T, Awaited<T>> {
  return operate<T, Awaited<T>>('await promises', (emit, context) => {
    if (context === undefined) return (input) => emit(input as Awaited<T>)
    const queue = new OrderedAsyncQueue<Awaited<T>>(Number.POSITIVE_INFINITY, emit, (origin) => context.track(origin), (error, subject) => context.processingError(error, subject, 'async step'))
    return (input) => {
      if (isThenable(input)) {
        const promise = input as PromiseLike<Awaited<T>>
        const origin = context.currentOrigin
        queue.push(context.currentKey, origin, () => promise, origin === undefined ? undefined : { [ORIGIN]: origin })
      } else queue.pass((input as { key?: unknown }).key ?? originOf(input), input as Awaited<T>)
    }
  }, { hidden: true })
}
