import { inRange, type BackendEntry, type BackendRange, type BackendWrite } from './backend/types.js'

/**
 * Scans `source` (entries in key order within `range`) with `changes` laid over it: a changed
 * key shows its new value, a deleted one (value null) is hidden, and new keys appear in
 * order. This is how a store shows writes its lower layer has not seen yet.
 *
 * @example
 * for await (const entry of overlayRange(pendingWrites, backend.range(range), range)) …
 */
export async function* overlayRange(changes: Iterable<BackendWrite>, source: (bounds: BackendRange) => AsyncIterable<BackendEntry>, range: BackendRange): AsyncIterable<BackendEntry> {
  const reverse = range.reverse === true
  const changed = new Set<string>()
  const inside: BackendWrite[] = []
  for (const change of changes) {
    changed.add(change.key.toString('latin1'))
    if (inRange(change.key, range)) inside.push(change)
  }
  inside.sort((a, b) => (reverse ? Buffer.compare(b.key, a.key) : Buffer.compare(a.key, b.key)))
  const limit = range.limit ?? Infinity
  const before = (a: Buffer, b: Buffer): boolean => (reverse ? Buffer.compare(a, b) > 0 : Buffer.compare(a, b) < 0)
  // Each change hides at most one stored entry: that many more are enough to fill the limit.
  const { limit: _limit, ...unlimited } = range
  const bounded = range.limit === undefined ? unlimited : { ...unlimited, limit: range.limit + inside.length }
  let emitted = 0
  let next = 0
  for await (const entry of source(bounded)) {
    while (next < inside.length && before(inside[next]!.key, entry.key)) {
      const change = inside[next++]!
      if (change.value === null) continue
      if (emitted++ >= limit) return
      yield { key: change.key, value: change.value }
    }
    const change = inside[next]
    if (change !== undefined && change.key.equals(entry.key)) next++
    if (changed.has(entry.key.toString('latin1'))) {
      if (change === undefined || !change.key.equals(entry.key) || change.value === null) continue
      if (emitted++ >= limit) return
      yield { key: change.key, value: change.value }
      continue
    }
    if (emitted++ >= limit) return
    yield entry
  }
  for (; next < inside.length; next++) {
    const change = inside[next]!
    if (change.value === null) continue
    if (emitted++ >= limit) return
    yield { key: change.key, value: change.value }
  }
}
