/**
 * kill -9 loop: a child process appends with durability fsync and is killed with SIGKILL at
 * random moments (while it starts, while it opens and recovers the log, after N
 * acknowledgements); after each kill this process opens the same data directory and checks
 * that every acknowledged record is there, once, in order, and that reading never throws.
 *
 * TRIBUTARY_CRASH_KILLS (default 50 × TRIBUTARY_CHAOS_SCALE) sets the number of kills; TRIBUTARY_CRASH_SEED replays a run.
 */
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { expect, onTestFailed, onTestFinished, test } from 'vitest'
import type { RecoveryEvent } from '../../core/log/embedded/index.js'
import { checkAcknowledged, readLogState, type LogState } from './check-log.js'
import { AppendChild } from './child-process.js'
import { makeScratchDirectory } from './scratch.js'
import { seedFromEnv, seededRandom, type SeededRandom } from './seeded-random.js'
import { CRASH_PARTITIONS, type Ack } from './workload.js'
import { classify, CLEAN, combine } from '../chaos/checker.js'
import { chaosScale, reportSuite } from '../chaos/report.js'

const KILLS = Number(process.env.TRIBUTARY_CRASH_KILLS || Math.round(50 * chaosScale()))
if (!Number.isSafeInteger(KILLS) || KILLS < 1) throw new Error(`TRIBUTARY_CRASH_KILLS must be a positive integer, got ${JSON.stringify(process.env.TRIBUTARY_CRASH_KILLS)}`)
const SEED = seedFromEnv('TRIBUTARY_CRASH_SEED', 20_260_125)

/** When the child dies. Delays place the kill; the test never waits on time for anything else. */
type KillPlan =
  | { readonly at: 'spawn'; readonly delayMs: number }
  | { readonly at: 'opening'; readonly delayMs: number }
  | { readonly at: 'acks'; readonly acks: number; readonly delayMs: number }

function planKill(random: SeededRandom): KillPlan {
  const roll = random.next()
  if (roll < 0.1) return { at: 'spawn', delayMs: random.int(0, 400) }
  if (roll < 0.25) return { at: 'opening', delayMs: random.int(0, 3) }
  // Right after an ack the child is building its next batch; a few milliseconds later the kill lands anywhere in a send, often in a write.
  return { at: 'acks', acks: random.int(0, 30), delayMs: random.chance(0.2) ? 0 : random.int(1, 6) }
}

function describePlan(plan: KillPlan): string {
  return plan.at === 'acks' ? `after ${plan.acks} acks + ${plan.delayMs} ms` : `${plan.delayMs} ms after ${plan.at}`
}

async function runUntilKilled(child: AppendChild, plan: KillPlan): Promise<void> {
  const reached =
    plan.at === 'spawn'
      ? true
      : plan.at === 'opening'
        ? await child.waitUntil(() => child.lines.includes('opening'))
        : await child.waitUntil(() => child.readySequence !== undefined && child.acks.length >= plan.acks)
  if (reached && plan.delayMs > 0) await delay(plan.delayMs)
  child.kill()
}

interface Totals {
  acknowledgedRecords: number
  verificationsWithCut: number
  cutEvents: number
  bytesCut: number
  childRecoveries: number
  readOnlyChecks: number
  killsBeforeReady: number
  killsWhileOpening: number
  cuts: string[]
}

test(
  `acknowledged appends survive ${KILLS} kill -9s at random moments: none lost, none duplicated, order kept`,
  async () => {
    const random = seededRandom(SEED)
    const root = makeScratchDirectory('tributary-crash-', 2 * 1024 * 1024 * 1024)
    const dir = path.join(root, 'data')
    let child: AppendChild | undefined
    let context = 'before the first kill'
    onTestFinished(() => {
      child?.kill()
      fs.rmSync(root, { recursive: true, force: true })
    })
    onTestFailed(() => {
      console.error(`append-crash failed with TRIBUTARY_CRASH_SEED=${SEED} TRIBUTARY_CRASH_KILLS=${KILLS}, ${context}`)
      if (child !== undefined && child.stderr !== '') console.error(`child stderr:\n${child.stderr}`)
    })

    const acks: Ack[] = []
    const totals: Totals = { acknowledgedRecords: 0, verificationsWithCut: 0, cutEvents: 0, bytesCut: 0, childRecoveries: 0, readOnlyChecks: 0, killsBeforeReady: 0, killsWhileOpening: 0, cuts: [] }
    let state: LogState | undefined
    let readOnly = false
    // Every check's counts, for the chaos report.
    let checked = CLEAN
    for (let kill = 0; kill < KILLS; kill++) {
      const plan = planKill(random)
      readOnly = random.chance(0.4)
      context = `at kill ${kill + 1} of ${KILLS} (${describePlan(plan)}, checked ${readOnly ? 'read-only' : 'read-write'})`
      child = new AppendChild(dir, kill, SEED)
      await runUntilKilled(child, plan)
      const exit = await child.exited
      expect(exit.signal, `the child ended by itself (code ${exit.code}): ${child.stderr}`).toBe('SIGKILL')

      const expectedStart = state?.nextSequence ?? 0
      if (child.readySequence !== undefined) {
        expect(child.readySequence, 'the child continued the sequence from the one after the last stored').toBe(expectedStart)
      } else {
        totals.killsBeforeReady++
        if (child.lines.includes('opening')) totals.killsWhileOpening++
      }
      acks.push(...child.acks)
      const lastAck = child.acks[child.acks.length - 1]
      if (lastAck !== undefined) totals.acknowledgedRecords += lastAck.lastSequence - expectedStart + 1
      totals.childRecoveries += child.recoveries.length

      state = await readLogState(dir, readOnly, CRASH_PARTITIONS)
      if (readOnly) totals.readOnlyChecks++
      if (state.recoveryEvents.length > 0) totals.verificationsWithCut++
      totals.cutEvents += state.recoveryEvents.length
      for (const event of state.recoveryEvents) totals.bytesCut += event.truncatedBytes
      for (const event of state.recoveryEvents) totals.cuts.push(`${event.partition}/${path.basename(event.segment)}: ${event.reason}`)
      const problems = [...state.problems, ...checkAcknowledged(state, acks, kill + 1)]
      checked = combine(checked, classify(problems))
      expect(problems).toEqual([])
    }

    context = `at the final check (the last check was ${readOnly ? 'read-only' : 'read-write'})`
    const final = await readLogState(dir, false, CRASH_PARTITIONS)
    const problems = [...final.problems, ...checkAcknowledged(final, acks, KILLS)]
    checked = combine(checked, classify(problems))
    reportSuite({ suite: 'kill-9/append', runs: KILLS + 1, faults_injected: KILLS, ...checked })
    expect(problems).toEqual([])
    expect(final.recordCount).toBe(final.nextSequence)
    expect(final.recordCount).toBeGreaterThanOrEqual(totals.acknowledgedRecords)
    // A read-only check cuts in memory only: the first read-write open after it makes the same cut on disk.
    const cuts = (events: readonly RecoveryEvent[]) => events.map((event) => `${event.partition}/${path.basename(event.segment)}: ${event.truncatedBytes} bytes`)
    expect(cuts(final.recoveryEvents), 'the final read-write open cuts what the last check cut, if it was read-only').toEqual(readOnly ? cuts(state!.recoveryEvents) : [])
    const settled = await readLogState(dir, true, CRASH_PARTITIONS)
    expect(settled.recoveryEvents, 'an open after a read-write open finds nothing to cut').toEqual([])
    expect(settled.problems).toEqual([])
    console.log(
      `append-crash (seed ${SEED}): ${KILLS} kills (${totals.killsBeforeReady} before the child was ready, ${totals.killsWhileOpening} of them after it began opening the log), ` +
        `${acks.length} acknowledged sends, ${totals.acknowledgedRecords} acknowledged records, ${final.recordCount} records stored ` +
        `(${final.recordCount - totals.acknowledgedRecords} written but unacknowledged when killed); ` +
        `${totals.verificationsWithCut} of ${KILLS} checks found a tail to cut (${totals.cutEvents} cuts, ${totals.bytesCut} bytes), ` +
        `${totals.readOnlyChecks} checks read-only, ${totals.childRecoveries} cuts made by a restarted child` +
        totals.cuts.map((cut) => `\n  cut ${cut}`).join(''),
    )
  },
  Math.max(120_000, KILLS * 6_000),
)
