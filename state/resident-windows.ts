/**
 * Every live window of a window store, in memory, by key: what lets a stream-stream join read the
 * other side's windows of a key without opening a disk iterator per record. The store on disk
 * (and its changelog) stays the truth; this is a copy, filled from it when the store opens and
 * kept in step by every put. Memory is bounded by retention: expired windows are swept out.
 *
 * @example
 * const resident = new ResidentWindows<number[]>()
 * resident.set('user-1', 60_000, [1])
 * resident.range('user-1', 0, 120_000) // [{ start: 60_000, value: [1] }]
 */
export class ResidentWindows<V> {
  private readonly byKey = new Map<unknown, Map<number, V>>()
  private count = 0

  /** Windows held. */
  get size(): number {
    return this.count
  }

  /** Sets (undefined: deletes) the window of key `id` starting at `start`. */
  set(id: unknown, start: number, value: V | undefined): void {
    let windows = this.byKey.get(id)
    if (value === undefined) {
      if (windows?.delete(start) === true) {
        this.count--
        if (windows.size === 0) this.byKey.delete(id)
      }
      return
    }
    if (windows === undefined) {
      windows = new Map()
      this.byKey.set(id, windows)
    }
    if (!windows.has(start)) this.count++
    windows.set(start, value)
  }

  get(id: unknown, start: number): V | undefined {
    return this.byKey.get(id)?.get(start)
  }

  /** The windows of key `id` starting within [from, to], by start. */
  range(id: unknown, from: number, to: number): { readonly start: number; readonly value: V }[] {
    const windows = this.byKey.get(id)
    if (windows === undefined) return []
    const found: { start: number; value: V }[] = []
    for (const [start, value] of windows) if (start >= from && start <= to) found.push({ start, value })
    return found.length > 1 ? found.sort((a, b) => a.start - b.start) : found
  }

  /** Drops every window starting before `time`. */
  expireBefore(time: number): void {
    for (const [id, windows] of this.byKey) {
      for (const start of windows.keys()) {
        if (start >= time) continue
        windows.delete(start)
        this.count--
      }
      if (windows.size === 0) this.byKey.delete(id)
    }
  }
}
