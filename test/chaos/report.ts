/**
 * The chaos report: each suite run ends with one JSON line (its name, runs, faults injected and
 * the checker's counts), printed and appended to the report file, so `npm run chaos` and CI can
 * print every suite's line and the "all" line after a test run.
 *
 * The file is `TRIBUTARY_CHAOS_REPORT`, or `.cache/chaos.jsonl` in the repository.
 *
 * @example
 * reportSuite({ suite: 'kill-9/eos-pipeline', runs: 21, faults_injected: 20, ...checkRecords(model, outputs) })
 */
import fs from 'node:fs'
import path from 'node:path'
import type { CheckCounts } from './checker.js'

export interface SuiteLine extends CheckCounts {
  /** The suite and, after a slash, the test within it. */
  readonly suite: string
  /** Runs of the workload (a child started, a case checked). */
  readonly runs: number
  /** Kills, damaged files, failed calls or bad records put in. */
  readonly faults_injected: number
}

const CLASSES = ['lost', 'duplicated', 'aborted_read', 'out_of_order', 'state_mismatch'] as const

/**
 * How many times its CI size a suite runs: TRIBUTARY_CHAOS_SCALE (default 1). Each suite
 * multiplies its own counts (kills, cases, records) by it.
 *
 * @example
 * const kills = Number(process.env.TRIBUTARY_CRASH_KILLS || 20 * chaosScale())
 */
export function chaosScale(): number {
  const scale = Number(process.env.TRIBUTARY_CHAOS_SCALE ?? 1)
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`TRIBUTARY_CHAOS_SCALE must be a positive number, got ${JSON.stringify(process.env.TRIBUTARY_CHAOS_SCALE)}`)
  return scale
}

/** Where the suites' lines go. */
export function reportFile(): string {
  return process.env.TRIBUTARY_CHAOS_REPORT ?? path.resolve(import.meta.dirname, '../../.cache/chaos.jsonl')
}

/** Prints a suite's line and appends it to the report file (its counts only, not the problems). */
export function reportSuite(line: SuiteLine & { readonly problems?: readonly string[] }): void {
  const { suite, runs, faults_injected } = line
  const counts = Object.fromEntries(CLASSES.map((name) => [name, line[name]]))
  const json = JSON.stringify({ suite, runs, faults_injected, ...counts })
  console.log(json)
  const file = reportFile()
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.appendFileSync(file, `${json}\n`)
}

/** The lines a report file holds (none when it does not exist). */
export function readReport(file = reportFile()): SuiteLine[] {
  if (!fs.existsSync(file)) return []
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text) => JSON.parse(text) as SuiteLine)
}

/**
 * The last line of a report: every suite's runs, faults and counts added up.
 *
 * @example
 * summarize(readReport()) // { suite: 'all', runs: 1044, faults_injected: 1020, lost: 0, … }
 */
export function summarize(lines: readonly SuiteLine[]): SuiteLine {
  const sum = (field: keyof Omit<SuiteLine, 'suite'>): number => lines.reduce((total, line) => total + line[field], 0)
  return {
    suite: 'all',
    runs: sum('runs'),
    faults_injected: sum('faults_injected'),
    lost: sum('lost'),
    duplicated: sum('duplicated'),
    aborted_read: sum('aborted_read'),
    out_of_order: sum('out_of_order'),
    state_mismatch: sum('state_mismatch'),
  }
}
