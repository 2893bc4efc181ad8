/**
 * Human-readable terminal output: sizes, durations, aligned tables.
 */

const BYTE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const

/**
 * A byte count in binary units, one decimal above 1 KiB.
 *
 * @example
 * formatBytes(512)        // '512 B'
 * formatBytes(1536)       // '1.5 KiB'
 * formatBytes(undefined)  // '-'
 */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-'
  if (bytes < 1024) return `${bytes} B`
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${BYTE_UNITS[unit] ?? 'PiB'}`
}

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['day', 24 * 60 * 60 * 1000],
  ['hour', 60 * 60 * 1000],
  ['minute', 60 * 1000],
  ['second', 1000],
]

/**
 * A duration in the largest unit that divides it exactly; -1 means forever (Kafka's convention).
 *
 * @example
 * formatDurationMs(604_800_000) // '7 days'
 * formatDurationMs(1500)        // '1500 ms'
 * formatDurationMs(-1)          // 'forever'
 */
export function formatDurationMs(ms: number): string {
  if (ms < 0) return 'forever'
  for (const [unit, unitMs] of DURATION_UNITS) {
    if (ms >= unitMs && ms % unitMs === 0) {
      const count = ms / unitMs
      return `${count} ${unit}${count === 1 ? '' : 's'}`
    }
  }
  return `${ms} ms`
}

/**
 * Rows as columns padded to their widest cell; columns listed in `alignRight` are right-aligned.
 *
 * @example
 * formatTable(['partition', 'size'], [['0', '1.5 KiB']], new Set([0]))
 * // 'partition  size\n        0  1.5 KiB\n'
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  alignRight: ReadonlySet<number> = new Set(),
): string {
  const all = [header, ...rows]
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)))
  return all
    .map((row) =>
      widths
        .map((width, column) => {
          const cell = row[column] ?? ''
          return alignRight.has(column) ? cell.padStart(width) : cell.padEnd(width)
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('')
}
