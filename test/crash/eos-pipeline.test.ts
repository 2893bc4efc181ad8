/**
 * kill -9 loop under exactly_once: this process fills a two-partition input topic (partition p
 * holds producer p's records, sequences in order), then a child runs the app `input → mapValues
 * → output` under exactly_once and is killed with SIGKILL at random moments (while it starts,
 * while it opens and recovers the log, after N transactions plus a few milliseconds), restarted
 * on the same data directory each time, and finally left to finish. After each kill the
 * committed outputs must be exactly the outputs of the committed input offsets, in order; at the
 * end, every input record's output must be there exactly once under read_committed. A
 * read_uncommitted read then shows what the aborted transactions left in the log, which proves
 * that kills landed inside transactions.
 *
 * Durability is `none`: a kill -9 loses nothing the OS has taken, and power loss is another suite.
 * TRIBUTARY_CRASH_KILLS (default 50 × TRIBUTARY_CHAOS_SCALE, RELIABILITY.md's CI size) sets the number of kills; TRIBUTARY_CRASH_SEED replays a run;
 * TRIBUTARY_EOS_RECORDS (default 1,000 a kill, at least 20,000) the input size.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { expect, onTestFailed, onTestFinished, test } from 'vitest'
import { openEmbeddedLog } from '../../core/log/embedded/index.js'
import type { ProducerRecord } from '../../core/log/types.js'
import { CLEAN, combine } from '../chaos/checker.js'
import { chaosScale, reportSuite } from '../chaos/report.js'
import { eosTotals, readEosState } from './eos-check.js'
import { EosChild } from './eos-child-process.js'
import { EOS_INPUT, EOS_OUTPUT, EOS_PARTITIONS, EOS_TOPIC_CONFIG, inputKey, inputValue } from './eos-workload.js'
import { seedFromEnv, seededRandom, type SeededRandom } from './seeded-random.js'

const KILLS = Number(process.env.TRIBUTARY_CRASH_KILLS || Math.round(50 * chaosScale()))
const SEED = seedFromEnv('TRIBUTARY_CRASH_SEED', 20_260_311)
const RECORDS = Number(process.env.TRIBUTARY_EOS_RECORDS ?? Math.max(20_000, KILLS * 1_000))
const RECORDS_PER_PRODUCER = Math.floor(RECORDS / EOS_PARTITIONS)
const PREFILL_BATCH = 500

/** When the child dies. Delays place the kill; the test never waits on time for anything else. */
type KillPlan =
  | { readonly at: 'spawn'; readonly delayMs: number }
  | { readonly at: 'opening'; readonly delayMs: number }
  | { readonly at: 'commits'; readonly commits: number; readonly delayMs: number }

function planKill(random: SeededRandom): KillPlan {
  const roll = random.next()
  if (roll < 0.1) return { at: 'spawn', delayMs: random.int(0, 1_200) }
  if (roll < 0.2) return { at: 'opening', delayMs: random.int(0, 20) }
  return { at: 'commits', commits: random.int(0, 16), delayMs: random.int(0, 30) }
}

function describePlan(plan: KillPlan): string {
  return plan.at === 'commits' ? `after ${plan.commits} transactions + ${plan.delayMs} ms` : `${plan.delayMs} ms after ${plan.at}`
}

/** Kills the child as planned (a child that already ended is left as it is). */
async function runUntilKilled(child: EosChild, plan: KillPlan): Promise<void> {
  const reached =
    plan.at === 'spawn'
      ? true
      : plan.at === 'opening'
        ? await child.waitUntil(() => child.has('opening'))
        : await child.waitUntil(() => child.has('ready') && child.commits >= plan.commits)
  if (reached && plan.delayMs > 0) await delay(plan.delayMs)
  child.kill()
}

async function prefill(dir: string): Promise<void> {
  const log = await openEmbeddedLog({ dir, durability: 'none' })
  await log.createTopic(EOS_INPUT, EOS_TOPIC_CONFIG)
  await log.createTopic(EOS_OUTPUT, EOS_TOPIC_CONFIG)
  const producer = log.producer()
  for (let producerId = 0; producerId < EOS_PARTITIONS; producerId++) {
    for (let first = 0; first < RECORDS_PER_PRODUCER; first += PREFILL_BATCH) {
      const batch: ProducerRecord[] = []
      for (let sequence = first; sequence < Math.min(RECORDS_PER_PRODUCER, first + PREFILL_BATCH); sequence++) {
        batch.push({ topic: EOS_INPUT, partition: producerId, key: Buffer.from(inputKey(producerId)), value: Buffer.from(inputValue(producerId, sequence)) })
      }
      await producer.send(batch)
    }
  }
  await log.close()
}

test(
  `exactly_once outputs survive ${KILLS} kill -9s at random moments: each input once in the committed output, in order`,
  async () => {
    const startedMs = Date.now()
    const random = seededRandom(SEED)
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-eos-crash-'))
    const dir = path.join(root, 'data')
    let child: EosChild | undefined
    let context = 'before the first kill'
    onTestFinished(() => {
      child?.kill()
      fs.rmSync(root, { recursive: true, force: true })
    })
    onTestFailed(() => {
      console.error(`eos-pipeline failed with TRIBUTARY_CRASH_SEED=${SEED} TRIBUTARY_CRASH_KILLS=${KILLS} TRIBUTARY_EOS_RECORDS=${RECORDS}, ${context}`)
      if (child !== undefined && child.stderr !== '') console.error(`child stderr:\n${child.stderr}`)
    })
    console.log(`eos-pipeline: seed ${SEED}, ${KILLS} kills, ${RECORDS_PER_PRODUCER * EOS_PARTITIONS} input records`)
    await prefill(dir)

    const phases = { spawn: 0, opening: 0, commits: 0 }
    let killsBeforeReady = 0
    let transactionsReported = 0
    let readOnlyChecks = 0
    let midTransactionKills = 0
    let previousUncommitted = 0
    let previousCommitted = 0
    let doneBeforeFinal = 0
    // Every check's counts, for the chaos report.
    let checked = CLEAN
    for (let kill = 0; kill < KILLS; kill++) {
      const plan = planKill(random)
      const readOnly = random.chance(0.3)
      context = `at kill ${kill + 1} of ${KILLS} (${describePlan(plan)}, checked ${readOnly ? 'read-only' : 'read-write'})`
      child = new EosChild(dir)
      await runUntilKilled(child, plan)
      const exit = await child.exited
      expect(child.has('finished'), `the child finished all the input before kill ${kill + 1}; raise TRIBUTARY_EOS_RECORDS`).toBe(false)
      expect(exit.signal, `the child ended by itself (code ${exit.code}): ${child.stderr}`).toBe('SIGKILL')
      phases[plan.at]++
      if (!child.has('ready')) killsBeforeReady++
      transactionsReported += child.commits

      const state = await readEosState(dir, { readOnly, recordsPerProducer: RECORDS_PER_PRODUCER, expectDone: false })
      if (readOnly) readOnlyChecks++
      checked = combine(checked, state.report)
      expect(state.problems).toEqual([])
      // Records read_uncommitted sees beyond the committed ones grew: this kill left a transaction with data in it.
      const totals = eosTotals(state)
      if (totals.uncommittedRecords - totals.committedRecords > previousUncommitted - previousCommitted) midTransactionKills++
      previousUncommitted = totals.uncommittedRecords
      previousCommitted = totals.committedRecords
      doneBeforeFinal = state.committedOffsets.reduce((sum, offset) => sum + offset, 0)
    }

    context = 'in the final run'
    child = new EosChild(dir)
    const exit = await child.exited
    expect(exit, `the final run failed: ${child.stderr}`).toEqual({ code: 0, signal: null })
    expect(child.has('finished')).toBe(true)
    transactionsReported += child.commits

    context = 'at the final check'
    const final = await readEosState(dir, { readOnly: false, recordsPerProducer: RECORDS_PER_PRODUCER, expectDone: true })
    checked = combine(checked, final.report)
    reportSuite({ suite: 'kill-9/eos-pipeline', runs: KILLS + 1, faults_injected: KILLS, ...checked })
    expect(final.problems).toEqual([])
    const totals = eosTotals(final)
    expect(totals.committedRecords).toBe(RECORDS_PER_PRODUCER * EOS_PARTITIONS)
    const abortedRecords = totals.uncommittedRecords - totals.committedRecords
    console.log(
      `eos-pipeline (seed ${SEED}): ${KILLS} kills (${phases.spawn} soon after spawn, ${phases.opening} while opening, ${phases.commits} after some transactions; ` +
        `${killsBeforeReady} before the app was running), ${midTransactionKills} kills left a transaction with records in it; ` +
        `${transactionsReported} transactions reported committed; ${readOnlyChecks} checks read-only; ${doneBeforeFinal} input records committed before the final run. ` +
        `Final: ${totals.committedRecords} outputs under read_committed, each input once, in order; read_uncommitted sees ${totals.uncommittedRecords} ` +
        `(${abortedRecords} from aborted transactions, ${totals.uncommittedDuplicates} of them duplicates of committed outputs). ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
    )
    // The kills must have landed inside transactions, or this test proves little.
    expect(abortedRecords, 'no kill landed while a transaction had records in the log').toBeGreaterThan(0)
  },
  Math.max(180_000, KILLS * 8_000),
)
