/**
 * What the file sink flushed survives kill -9: a child puts and flushes numbered records until
 * it is killed at a seeded-random moment; a new sink then completes the file the child left in
 * progress, and the files hold every flushed record, in order, and only whole lines.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { parseConfig } from '../../../connectors/api/config-schema.js'
import { fileSink } from '../../../connectors/file/index.js'
import { LineChild } from '../../crash/child-process.js'
import { seededRandom, seedFromEnv } from '../../crash/seeded-random.js'
import { sinkContext } from './task-context.js'

class FileSinkChild extends LineChild {
  flushed = 0
  constructor(directory: string) {
    super('../connectors/file/file-sink-crash-child.ts', [directory])
  }
  protected onLine(line: string): void {
    const flushed = /^flushed (\d+)$/.exec(line)
    if (flushed !== null) this.flushed = Number(flushed[1])
  }
}

let dir: string
let child: FileSinkChild | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-file-sink-crash-'))
})

afterEach(async () => {
  child?.kill()
  await child?.exited
  child = undefined
  await rm(dir, { recursive: true, force: true })
})

test('every flushed record is in the completed files after a kill -9, in order', { timeout: 60_000 }, async () => {
  const random = seededRandom(seedFromEnv('TRIBUTARY_CRASH_SEED', 3))
  const killAfter = random.int(5, 60) * 100
  child = new FileSinkChild(dir)
  expect(await child.waitUntil(() => child!.flushed >= killAfter), child.stderr).toBe(true)
  child.kill()
  await child.exited
  const flushed = child.flushed

  const restarted = await fileSink.start(parseConfig(fileSink.config, { directory: dir }, 'config'), sinkContext())
  await restarted.stop?.()
  const names = (await readdir(dir)).sort()
  expect(names.filter((name) => name.endsWith('.inprogress'))).toEqual([])
  let text = ''
  for (const name of names) text += await readFile(join(dir, name), 'utf8')
  expect(text.endsWith('\n')).toBe(true)
  const numbers = text.trimEnd().split('\n').map((line) => (JSON.parse(line) as { n: number }).n)
  expect(numbers.length).toBeGreaterThanOrEqual(flushed)
  expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, index) => index))
})
