/**
 * Named crash points (core/crash-point.ts): the stateful count app (RocksDB store, compacted
 * changelog, output topic whose retention deletes old segments while it runs) is started in a
 * child process with `TRIBUTARY_CRASH_AT=<point>@<n>`, dies by SIGKILL exactly there (the child
 * says which point on stderr first), is started again on the same data and state and runs to the
 * end. Then the changelog (the store's durable state) must hold the model's counts: exactly under
 * exactly_once, at least under at_least_once; the group must have committed every input offset.
 * Every point of the log and of the commit path is reached: before and after an append's fsync,
 * between a roll's two index writes and before its snapshot, before an atomic file replace's
 * rename, before a state store's checkpoint is renamed into place, before compaction swaps a cleaned segment in, between retention's file deletions,
 * between a transaction's markers, before a commit's offsets and before a transaction's commit.
 *
 * Size: 12,000 input records a case (TRIBUTARY_CHAOS_SCALE multiplies it).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, onTestFailed, onTestFinished, test } from 'vitest'
import type { CrashPointName } from '../../core/crash-point.js'
import { combine, CLEAN, type CheckReport } from './checker.js'
import { chaosScale, reportSuite } from './report.js'
import { checkCounts, readCountState, readInputWords } from '../crash/count-check.js'
import { CountChild } from '../crash/count-child-process.js'
import { COUNT_TOPIC_CONFIG, countModel, prefillCount, type Processing } from '../crash/count-workload.js'
import { makeScratchDirectory } from '../crash/scratch.js'

const RECORDS = Math.round(12_000 * chaosScale())
/** The output keeps about four 16 KiB segments: retention deletes the older ones while the app runs. */
const OUTPUT_CONFIG = { ...COUNT_TOPIC_CONFIG, segmentBytes: 16 * 1024, retentionBytes: 64 * 1024 }
/** No store cache: every update goes to the changelog, which then rolls and is compacted often. */
const CACHE_MAX_BYTES = 0
const CASE_TIMEOUT_MS = 120_000

interface CrashCase {
  readonly point: CrashPointName
  /** Which time the point is reached: past the start, so the app has state to lose. */
  readonly at: number
  readonly processing: Processing
}

const CASES: readonly CrashCase[] = [
  { point: 'segment.append.before-fsync', at: 300, processing: 'exactly_once' },
  { point: 'segment.append.after-fsync', at: 301, processing: 'exactly_once' },
  { point: 'segment.roll.between-indexes', at: 4, processing: 'exactly_once' },
  { point: 'segment.roll.before-snapshot', at: 4, processing: 'exactly_once' },
  { point: 'file.replace.before-rename', at: 4, processing: 'exactly_once' },
  { point: 'compaction.before-swap', at: 1, processing: 'exactly_once' },
  { point: 'retention.between-files', at: 1, processing: 'exactly_once' },
  { point: 'transaction.between-markers', at: 20, processing: 'exactly_once' },
  { point: 'commit.before-transaction-commit', at: 10, processing: 'exactly_once' },
  { point: 'commit.before-offsets', at: 10, processing: 'at_least_once' },
  { point: 'segment.append.before-fsync', at: 300, processing: 'at_least_once' },
  { point: 'compaction.before-swap', at: 1, processing: 'at_least_once' },
  // Store checkpoints are written after at_least_once commits (exactly_once restores from the changelog).
  { point: 'state.checkpoint.before-rename', at: 5, processing: 'at_least_once' },
]

let checked: CheckReport = CLEAN
let crashed = 0

describe('a crash at each named crash point loses nothing and, under exactly_once, duplicates nothing', () => {
  test.each(CASES)('$point (time $at) under $processing', async ({ point, at, processing }) => {
    const root = makeScratchDirectory('tributary-crash-point-', 512 * 1024 * 1024)
    const dir = path.join(root, 'data')
    const stateDir = path.join(root, 'state')
    let child: CountChild | undefined
    onTestFinished(() => {
      child?.kill()
      fs.rmSync(root, { recursive: true, force: true })
    })
    onTestFailed(() => {
      if (child !== undefined && child.stderr !== '') console.error(`child stderr:\n${child.stderr}`)
    })
    await prefillCount(dir, RECORDS, OUTPUT_CONFIG)

    child = new CountChild(dir, stateDir, processing, CACHE_MAX_BYTES, { TRIBUTARY_CRASH_AT: `${point}@${at}` })
    const crash = await child.exited
    expect(child.stderr, `the child never reached ${point} ${at} times`).toContain(`tributary crash point ${point}`)
    expect(crash.signal).toBe('SIGKILL')
    crashed++

    child = new CountChild(dir, stateDir, processing, CACHE_MAX_BYTES)
    const exit = await child.exited
    expect(exit, `the run after the crash failed: ${child.stderr}`).toEqual({ code: 0, signal: null })
    expect(child.has('finished')).toBe(true)

    const state = await readCountState(dir, { readOnly: false })
    expect(state.committedOffsets).toEqual(state.inputEndOffsets)
    const model = countModel(await readInputWords(dir))
    const report = checkCounts('changelog', state.changelog, processing === 'exactly_once' ? { lower: model, upper: model } : { lower: model })
    checked = combine(checked, report)
    expect([...state.problems, ...report.problems]).toEqual([])
  }, CASE_TIMEOUT_MS)
})

afterAll(() => {
  if (crashed > 0) reportSuite({ suite: 'kill-9/crash-points', runs: 2 * crashed, faults_injected: crashed, ...checked })
})
