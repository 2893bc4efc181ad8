/**
 * A zombie instance of the count app on Kafka: two instances share a 6-partition input under
 * exactly_once while input flows; one is paused with SIGSTOP, in the middle of its work, for
 * longer than its session timeout. The group gives its partitions to the other instance, whose
 * transactional producers for those tasks fence the paused one's. Then the paused instance is
 * resumed with SIGCONT: its stale transactions must fail to commit (fenced), it must drop those
 * tasks and carry on as a member of the group (rejoining, as Kafka Streams does on a
 * TaskMigratedException), and the output, read with read_committed once the input is done, must
 * equal the model's counts exactly.
 *
 * TRIBUTARY_KAFKA_ZOMBIE_RECORDS (default 3,000) sets the input size.
 * Runs when `kafkaTestsWanted()` (CI, or TRIBUTARY_KAFKA=1); in CI a broker that cannot start fails.
 */
import { describe, expect, test } from 'vitest'
import { checkCounts } from '../crash/count-check.js'
import { reportSuite } from '../chaos/report.js'
import { waitUntil } from '../runtime/helpers.js'
import { kafkaTestsWanted } from './broker.js'
import { uniqueCountNames } from './count-kafka.js'
import { committedTotal, countChildren, countsOf, everyInputCommitted, inputProgress, readOutputCounts, waitForChild, waitForMembers, useCountClients, WordFeeder } from './count-kafka-fixture.js'

const RECORDS = Number(process.env.TRIBUTARY_KAFKA_ZOMBIE_RECORDS || 3_000)
if (!Number.isSafeInteger(RECORDS) || RECORDS < 1_000) throw new Error(`TRIBUTARY_KAFKA_ZOMBIE_RECORDS must be an integer of at least 1000, got ${JSON.stringify(process.env.TRIBUTARY_KAFKA_ZOMBIE_RECORDS)}`)
const PARTITIONS = 6
/**
 * Long enough that the instance is paused between processing records and committing them (the
 * count's cache holds the outputs until then), so it wakes up to a commit its producer can no
 * longer make.
 */
const COMMIT_INTERVAL_MS = 1_000

describe.skipIf(!kafkaTestsWanted())('a count app instance paused past its session timeout on Kafka', () => {
  const clients = useCountClients('zombie-test')

  test(
    'is fenced when it resumes, commits nothing stale, rejoins the group, and the output stays exact',
    async () => {
      const startedMs = Date.now()
      const names = uniqueCountNames('zombie')
      const { log, admin } = { log: clients.log(), admin: clients.admin() }
      const { start, children } = countChildren(clients.bootstrap(), names, 'tributary-kafka-zombie-', { commitIntervalMs: COMMIT_INTERVAL_MS })

      await log.createTopic(names.input, { partitions: PARTITIONS })
      await log.createTopic(names.output, { partitions: PARTITIONS })
      const zombie = start('instance-1')
      await waitForChild(zombie, () => zombie.has('ready'), 'the app to start')
      start('instance-2')
      await waitForMembers(admin, names.appId, ['instance-1', 'instance-2'])

      const producer = log.producer()
      const feeder = WordFeeder.forInput(producer, names.input, RECORDS, () => committedTotal(log, names))
      const feeding = feeder.feedTo(Math.round(RECORDS * 0.3))
      await waitForChild(zombie, () => zombie.recordsIn >= 100 && zombie.recordsSinceCommit > 0, 'the instance to be paused to have processed records it has not committed')
      zombie.signal('SIGSTOP')
      const pausedAt = { recordsIn: zombie.recordsIn, uncommitted: zombie.recordsSinceCommit, commits: zombie.commits, produced: feeder.produced, lines: zombie.lines.length }
      await feeding
      // The paused member's session times out; the other takes all the partitions, fencing the paused one's producers.
      await waitForMembers(admin, names.appId, ['instance-2'])
      await feeder.feedTo(Math.round(RECORDS * 0.6))
      await waitUntil(() => everyInputCommitted(log, names), 'the other instance to commit every input offset', 60_000)
      const takenOver = await inputProgress(log, names)

      zombie.signal('SIGCONT')
      // It wakes up to fenced transactions and a group that moved on: it must rejoin, not die.
      await waitForMembers(admin, names.appId, ['instance-1', 'instance-2'])
      const linesAfterResume = zombie.lines.slice(pausedAt.lines)
      // Its commit of what it processed before the pause failed: its producer was fenced.
      expect(zombie.stderr).toMatch(/transactional id \S+ was fenced by a newer instance/)
      await feeder.feedTo(RECORDS)
      await waitForChild(zombie, () => zombie.recordsIn > pausedAt.recordsIn, 'the resumed instance to process new records')
      await waitUntil(() => everyInputCommitted(log, names), 'the group to commit every input offset', 60_000)
      await producer.close()

      for (const child of children) child.signal('SIGTERM')
      for (const child of children) {
        expect(await child.exited, `${child.clientId} did not stop cleanly: ${child.stderr}`).toEqual({ code: 0, signal: null })
        expect(child.failure).toBeUndefined()
      }

      const model = countsOf(RECORDS)
      const output = await readOutputCounts(log, names.output)
      const report = checkCounts('output', output.counts, { lower: model, upper: model })
      reportSuite({ suite: 'kafka-faults/zombie', runs: children.length, faults_injected: 1, ...report })
      expect([...output.problems, ...report.problems]).toEqual([])
      // What read_committed must not see: records of transactions that were aborted (fenced, or left open by a kill).
      const uncommittedOnly = (await readOutputCounts(log, names.output, 'read_uncommitted')).records - output.records
      const reprocessed = children.reduce((sum, child) => sum + child.recordsIn, 0) - RECORDS
      console.log(
        `zombie: ${RECORDS} records, ${model.size} words over ${PARTITIONS} partitions; instance-1 paused after processing ${pausedAt.recordsIn} records ` +
          `(${pausedAt.uncommitted} of them not committed; ${pausedAt.commits} commits, ${pausedAt.produced} produced); offsets when resumed ${takenOver.committed.join(',')}; ` +
          `its first lines after resuming: ${linesAfterResume.slice(0, 5).join(' | ')}; warnings: ${zombie.stderr.split('\n').filter(Boolean).slice(0, 5).join(' | ')}; ` +
          `records processed: ${children.map((child) => `${child.clientId} ${child.recordsIn}`).join(', ')}; ` +
          `${output.records} committed output records, ${uncommittedOnly} more only read_uncommitted sees; ${reprocessed} input records processed twice (once uncommitted); ${((Date.now() - startedMs) / 1000).toFixed(1)} s`,
      )
    },
    180_000,
  )
})
