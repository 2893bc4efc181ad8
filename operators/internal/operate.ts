import { Observable, type OperatorFunction } from 'rxjs'
import { maybeTaskContext, type TaskContext } from '../../core/runtime/task-context.js'
import { describeOperator, type OperatorInfo } from '../../core/runtime/topology.js'

/** The per-subscription half of an operator: gets `emit`, returns what to do with each input. */
export type OperatorSetup<I, O> = (emit: (output: O) => void, context: TaskContext | undefined) => (input: I) => void

/**
 * The plumbing under every Tributary operator, so an operator file holds only its own idea.
 * `setup` runs when a task subscribes (with that task's context) and returns the handler of
 * each input. An error thrown by the handler (user code) goes to the app's processing-error
 * handler with the record that caused it, instead of ending the stream; outside a task (plain
 * RxJS use) it errors the stream as RxJS operators do.
 *
 * @example
 * export const double = () => operate<number, number>('double', (emit) => (n) => emit(n * 2))
 */
export function operate<I, O>(name: string, setup: OperatorSetup<I, O>, info: Omit<OperatorInfo, 'name'> = {}): OperatorFunction<I, O> {
  const operator = (source: Observable<I>): Observable<O> =>
    new Observable<O>((subscriber) => {
      const context = maybeTaskContext()
      const handle = setup((output) => subscriber.next(output), context)
      return source.subscribe({
        next(input) {
          try {
            handle(input)
          } catch (error) {
            if (context === undefined) subscriber.error(error)
            else context.processingError(error, input, name)
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      })
    })
  return describeOperator(operator, { name, ...info })
}
