/**
 * The coverage-guided targets: each a module exporting `fuzz(data)` (what Jazzer calls) and
 * `seeds()` (valid inputs to start from), with the share of the CI runs it gets.
 *
 * @example
 * for (const target of FUZZ_TARGETS) console.log(target.name, target.file)
 */
import path from 'node:path'

export interface FuzzTarget {
  /** Names the target in output, and its folder of regression inputs. */
  readonly name: string
  /** The target's module (TypeScript, loaded through tsx). */
  readonly file: string
  /** False when `fuzz` returns a promise (Jazzer then awaits each run). */
  readonly sync: boolean
  /** Runs at CI size (TRIBUTARY_CHAOS_SCALE multiplies them). */
  readonly ciRuns: number
  /** What it may throw, for the report. */
  readonly allowed: string
  /** The longest input libFuzzer makes (default 4096): smaller for a target whose cost grows with it. */
  readonly maxInputBytes?: number
}

const here = (name: string): string => path.join(import.meta.dirname, `${name}.fuzz.ts`)

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { name: 'record-batch', file: here('record-batch'), sync: true, ciRuns: 40_000, allowed: 'checkBatch problems, CorruptRecordError' },
  { name: 'avro-decode', file: here('avro-decode'), sync: true, ciRuns: 30_000, allowed: 'SerdeError' },
  { name: 'connector-config', file: here('connector-config'), sync: true, ciRuns: 30_000, allowed: 'ConfigError, SyntaxError of the input' },
  { name: 'connect-config', file: here('connect-config'), sync: false, ciRuns: 10_000, allowed: 'ConfigError, SyntaxError of the input' },
  { name: 'json-line', file: here('json-line'), sync: true, ciRuns: 50_000, allowed: 'none (differential with JSON.parse)' },
  // Three passes over the text (read, write back and reread, decode): about 3 ms for 4 KB.
  { name: 'csv', file: here('csv'), sync: true, ciRuns: 40_000, allowed: 'none (malformed rows are rejected, not thrown)', maxInputBytes: 1024 },
]
