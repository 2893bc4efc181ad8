/**
 * Disk full and I/O errors (RELIABILITY.md, suite 4): for every N up to the run's count, an
 * embedded log (durability `fsync`) takes sends while the N-th file-system call under it fails
 * (ENOSPC, EIO and short writes in turn; see io-fault-layer.ts). What must hold:
 * - the send that met the fault gets a typed error (StorageError, naming the partition), and every
 *   other send is acknowledged or refused the same way;
 * - a partition that failed a write or an fsync takes no more writes until the log is reopened (a
 *   failed fsync is never retried and trusted);
 * - no part of a failed batch is ever visible: the same log, and the log reopened without the
 *   fault, hold exactly the acknowledged records, each once, in order (the checker: a record that
 *   was never acknowledged but is visible counts as aborted_read).
 *
 * Size: 150 runs (N = 1…150, past every call of the workload: its 40 sends make about 100 calls,
 * so the last runs inject nothing and check the workload itself), the runs and the sends times
 * TRIBUTARY_CHAOS_SCALE.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { LogError, openEmbeddedLog, StorageError } from '../../index.js'
import { useFileIo } from '../../core/log/embedded/file-io.js'
import { checkRecords, combine, CLEAN, type CheckReport } from './checker.js'
import { FailNthCall, faultFor } from './io-fault-layer.js'
import { chaosScale, reportSuite } from './report.js'
import { readSequences, sequencedValue } from './sequenced-records.js'

const RUNS = Math.round(150 * chaosScale())
const PARTITIONS = 2
const SENDS = Math.round(40 * chaosScale())
const RECORDS_PER_SEND = 5
/** Segments of 4 KiB: the workload rolls them (new files, index writes, snapshot renames) too. */
const TOPIC = { partitions: PARTITIONS, segmentBytes: 4 * 1024 }

let checked: CheckReport = CLEAN
let injected = 0
let runs = 0
/** Which calls the faults hit, for the summary line. */
const hits = new Map<string, number>()

describe(`the embedded log under a failing file system (${RUNS} runs)`, () => {
  test('every failed call is a typed error, a failed partition takes no more writes, and nothing unacknowledged is ever visible', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-io-faults-'))
    try {
      for (let n = 1; n <= RUNS; n++) {
        const dir = path.join(root, `run-${n}`)
        const warnings: string[] = []
        const log = await openEmbeddedLog({ dir, durability: 'fsync', maintenanceIntervalMs: 0, logger: { warn: (message) => warnings.push(message) } })
        await log.createTopic('events', TOPIC)
        const producer = log.producer()
        const acked = Array.from({ length: PARTITIONS }, () => 0)
        const failed = new Set<number>()
        const layer = new FailNthCall(n)
        const restore = useFileIo(layer)
        try {
          for (let send = 0; send < SENDS; send++) {
            const partition = send % PARTITIONS
            const from = acked[partition]!
            const records = Array.from({ length: RECORDS_PER_SEND }, (_, i) => ({ topic: 'events', partition, value: sequencedValue(partition, from + i) }))
            try {
              await producer.send(records)
              expect(failed.has(partition), `partition ${partition} took a write after it failed (run ${n}, ${layer.injected})`).toBe(false)
              acked[partition] = from + RECORDS_PER_SEND
            } catch (error) {
              expect(error, `run ${n}: ${String(error)}`).toBeInstanceOf(LogError)
              if (error instanceof StorageError) failed.add(partition)
            }
          }
        } finally {
          restore()
        }
        runs++
        if (layer.injected !== undefined) {
          injected++
          const call = layer.injected.replace(/^(ENOSPC|EIO) on /, '')
          hits.set(call, (hits.get(call) ?? 0) + 1)
        }
        const model = { expected: acked, committed: acked, exactlyOnce: true }
        // The same log, still open: what it serves now.
        const live = checkRecords(model, await readSequences(log, 'events', PARTITIONS))
        await producer.close()
        await log.close().catch(() => undefined)
        // Reopened without the fault: what survived.
        const reopened = await openEmbeddedLog({ dir, durability: 'fsync', maintenanceIntervalMs: 0, logger: { warn: () => undefined } })
        const recovered = checkRecords(model, await readSequences(reopened, 'events', PARTITIONS))
        // The partitions take writes again.
        await reopened.producer().send([{ topic: 'events', partition: 0, value: sequencedValue(0, acked[0]!) }])
        await reopened.close()
        fs.rmSync(dir, { recursive: true, force: true })
        const report = combine(live, recovered)
        checked = combine(checked, report)
        expect(report.problems, `run ${n} (${faultFor(n)}: ${layer.injected ?? 'nothing injected'})`).toEqual([])
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
    console.log(`io-faults: ${runs} runs, ${injected} faults injected, by call ${JSON.stringify(Object.fromEntries(hits))}`)
    // The workload's calls run out before the last N: every kind of call has been failed.
    expect(injected).toBeLessThan(runs)
    expect([...hits.keys()].sort()).toEqual(expect.arrayContaining(['fdatasync', 'open', 'rename', 'write']))
  }, 600_000)
})

afterAll(() => {
  if (runs > 0) reportSuite({ suite: 'io-faults/disk-full-and-eio', runs, faults_injected: injected, ...checked })
})
