/**
 * One app, two backends: the example apps run on Kafka with nothing changed but
 * `TRIBUTARY_KAFKA_BROKERS` (see `logFromEnv`). Runs when `kafkaTestsWanted()` (CI, or
 * TRIBUTARY_KAFKA=1), against the broker the global setup shares.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { kafkaTestsWanted } from '../kafka/broker.js'
import { useTestBroker } from '../kafka/test-broker.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')
const EXAMPLE_TIMEOUT_MS = 120_000

describe.skipIf(!kafkaTestsWanted())('the example apps on Kafka', () => {
  const bootstrap = useTestBroker()
  const onKafka = () => ({ ...process.env, TRIBUTARY_KAFKA_BROKERS: bootstrap() })

  test(
    'wordcount counts the bundled text on Kafka as on the embedded log',
    async () => {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'examples/wordcount/index.ts', '--top', '3'], { cwd: root, env: onKafka(), timeout: EXAMPLE_TIMEOUT_MS })
      expect(stderr).toContain(`into ${bootstrap()}`)
      expect(stdout).toMatch(/\s25\s+the\n/)
    },
    EXAMPLE_TIMEOUT_MS,
  )

  /** Runs the Nexmark example on Kafka with `queries`; its report's lines must match `results`. */
  const nexmarkGives = (queries: readonly string[], results: readonly RegExp[]) => async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/nexmark/index.ts', ...queries], { cwd: root, env: onKafka(), timeout: EXAMPLE_TIMEOUT_MS })
    for (const result of results) expect(stdout).toMatch(result)
  }

  test('nexmark q1 and q5 (a repartition) write their results on Kafka', nexmarkGives(['q1', 'q5'], [/^q1: 18400 results from 20000 events/m, /^q5: 49 results from 20000 events/m]), EXAMPLE_TIMEOUT_MS)

  test(
    'nexmark q3 and q8 (joins with an input behind a repartition topic) give the results they give on the embedded log',
    nexmarkGives(['q3', 'q8'], [/^q3: 156 results from 20000 events/m, /^q8: 35 results from 20000 events/m]),
    EXAMPLE_TIMEOUT_MS,
  )
})
