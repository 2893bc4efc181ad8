/**
 * Prints a chaos report: every suite's JSON line, then the "all" line. Run after a test run
 * (`.ci/test` does) to show the lines the suites appended to the report file.
 *
 * @example
 * // npx tsx test/chaos/summary.ts .cache/chaos.jsonl
 */
import { fileURLToPath } from 'node:url'
import { readReport, reportFile, summarize } from './report.js'

const CLASSES = ['lost', 'duplicated', 'aborted_read', 'out_of_order', 'state_mismatch'] as const

/**
 * Prints the report's lines and the "all" line; returns whether every count is 0 (and any suite reported).
 *
 * @example
 * const clean = printReport('.cache/chaos.jsonl')
 */
export function printReport(file: string): boolean {
  const lines = readReport(file)
  for (const line of lines) console.log(JSON.stringify(line))
  const all = summarize(lines)
  console.log(JSON.stringify(all))
  return lines.length > 0 && CLASSES.every((name) => all[name] === 0)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printReport(process.argv[2] ?? reportFile())
