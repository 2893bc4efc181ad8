/**
 * The rule every coverage-guided target checks: only the documented typed errors may escape the
 * code under test. A typed error is an answer; anything else is rethrown as it is (its stack
 * intact), which Jazzer reports as a finding with the input that caused it.
 *
 * @example
 * const outcome = onlyTyped([SerdeError], () => serde.deserialize(bytes, context)) // 'value' or 'typed'
 */

/** A class of error the code under test may throw. */
export type ErrorClass = abstract new (...args: never[]) => Error

/** How a call ended: with a value, or with one of the allowed typed errors. */
export type Outcome = 'value' | 'typed'

const isAllowed = (error: unknown, allowed: readonly ErrorClass[]): boolean => allowed.some((type) => error instanceof type)

/**
 * Runs `body`; an error of one of `allowed` is an answer, anything else escapes.
 *
 * @example
 * onlyTyped([ConfigError], () => parseConfig(schema, input, 'config'))
 */
export function onlyTyped(allowed: readonly ErrorClass[], body: () => unknown): Outcome {
  try {
    body()
    return 'value'
  } catch (error) {
    if (isAllowed(error, allowed)) return 'typed'
    throw error
  }
}

/**
 * As `onlyTyped`, for an async `body`.
 *
 * @example
 * await onlyTypedAsync([ConfigError], () => parseConnectConfig(input, sandbox))
 */
export async function onlyTypedAsync(allowed: readonly ErrorClass[], body: () => Promise<unknown>): Promise<Outcome> {
  try {
    await body()
    return 'value'
  } catch (error) {
    if (isAllowed(error, allowed)) return 'typed'
    throw error
  }
}

/**
 * A finding that is not an exception: a broken invariant, with the facts that show it.
 *
 * @example
 * if (next <= start) throw new InvariantBroken(`readCsvRecord made no progress at ${start}`)
 */
export class InvariantBroken extends Error {
  override readonly name = 'InvariantBroken'
}
