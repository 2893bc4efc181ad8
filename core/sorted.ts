/**
 * The index of the first element of an ascending array that is not below `value` (where to
 * insert it to keep the order). Numbers and strings compare with `<`.
 *
 * @example
 * lowerBound([10, 20, 30], 20) // 1
 */
export function lowerBound<T extends number | string>(sorted: readonly T[], value: T): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (sorted[middle]! < value) low = middle + 1
    else high = middle
  }
  return low
}
