/**
 * Milliseconds a `Retry-After` header asks to wait: delta-seconds or an HTTP date (measured from
 * `nowMs`); undefined when there is none or it cannot be read.
 *
 * @example
 * retryAfterMs('2', Date.now()) // 2000
 */
export function retryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}
