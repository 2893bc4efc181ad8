/**
 * The cluster ids kafka.sh formats its nodes with. One that started with '-' made Kafka's storage
 * tool read it as an option, and a broker start failed at random, about once in 64 starts.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const script = fileURLToPath(new URL('./cluster-id.mjs', import.meta.url))

test('cluster ids are Kafka Uuids in base64url, none starting with "-"', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [script, '5000'])
  const ids = stdout.trim().split('\n')
  expect(ids).toHaveLength(5000)
  expect(ids.filter((id) => !/^[A-Za-z0-9_-]{22}$/.test(id))).toEqual([])
  expect(ids.filter((id) => id.startsWith('-'))).toEqual([])
  expect(new Set(ids).size).toBe(5000)
})
