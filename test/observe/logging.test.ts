import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { tempDirPerTest } from '../runtime/helpers.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const newDir = tempDirPerTest('observe-logging')

/** Runs log-child.ts with TRIBUTARY_LOG_LEVEL=level; returns its stderr lines. */
function runWithLevel(level: string | undefined): { status: number | null; lines: string[] } {
  const env = { ...process.env }
  delete env.TRIBUTARY_LOG_LEVEL
  delete env.TRIBUTARY_DASHBOARD_PORT
  delete env.TRIBUTARY_METRICS_PORT
  if (level !== undefined) env.TRIBUTARY_LOG_LEVEL = level
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(HERE, 'log-child.ts'), newDir()], { cwd: path.resolve(HERE, '../..'), env, encoding: 'utf8', timeout: 60_000 })
  return { status: child.status, lines: child.stderr.split('\n').filter((line) => line.length > 0) }
}

describe('structured logs', () => {
  test('at a level the user sets, the app logs JSON lines with its id, state changes at debug', () => {
    const { status, lines } = runWithLevel('debug')
    expect(status).toBe(0)
    const entries = lines.map((line) => JSON.parse(line) as { level: number; app: string; msg: string })
    expect(entries.every((entry) => entry.app === 'logged')).toBe(true)
    expect(entries.filter((entry) => entry.level === 20).map((entry) => entry.msg)).toEqual(expect.arrayContaining(['logged is REBALANCING', 'logged is RUNNING', 'logged is PENDING_SHUTDOWN', 'logged is NOT_RUNNING']))
  })

  test('above debug, the state changes are left out', () => {
    const { status, lines } = runWithLevel('warn')
    expect(status).toBe(0)
    expect(lines).toEqual([])
  })
})
