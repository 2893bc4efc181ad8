import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import { type LongWorkApp, watchLongWork } from '../../core/cli/long-work-progress.js'
import { formatSeconds, progress, renderBarLine, renderLogLine } from '../../core/cli/progress.js'
import { ManualClock } from '../../core/manual-clock.js'
import { CapturedOutput, REPO_ROOT, temporaryDirectory } from './helpers.js'

const ESC = '\u001b'

describe('progress on a pipe or a file (plain log lines)', () => {
  test('logs a line once a full interval has passed, then one at the end', () => {
    const clock = new ManualClock(0)
    const stream = new CapturedOutput()
    const bar = progress({ label: 'replaying orders-dlq', total: 100, stream, clock, logIntervalMs: 5_000 })
    bar.update(10)
    expect(stream.text()).toBe('')
    clock.advance(5_000)
    bar.update(50)
    clock.advance(1_000)
    bar.update(60)
    clock.advance(2_000)
    bar.update(100)
    bar.finish()
    expect(stream.lines()).toEqual(['replaying orders-dlq: 50/100 (50%), 10/s, ETA 5s', 'replaying orders-dlq: 100/100 done in 8s, 13/s'])
  })

  test('quick work logs only its final line, and finish is idempotent', () => {
    const clock = new ManualClock(0)
    const stream = new CapturedOutput()
    const bar = progress({ label: 'restoring word-counts', total: 3, stream, clock })
    bar.update(1)
    clock.advance(500)
    bar.update(3)
    bar.finish()
    bar.finish()
    bar.update(7)
    expect(stream.lines()).toEqual(['restoring word-counts: 3/3 done in 1s, 6/s'])
  })

  test('without a total, shows the count and the rate', () => {
    const clock = new ManualClock(0)
    const stream = new CapturedOutput()
    const bar = progress({ label: 'backfill', stream, clock, logIntervalMs: 1_000 })
    clock.advance(2_000)
    bar.update(12_300)
    bar.finish()
    expect(stream.lines()).toEqual(['backfill: 12,300, 6,150/s', 'backfill: 12,300 done in 2s, 6,150/s'])
  })
})

describe('progress on a terminal (a redrawn bar)', () => {
  test('draws at once, redraws in place at most every redraw interval, and ends the line when finished', () => {
    const clock = new ManualClock(0)
    const stream = new CapturedOutput()
    const bar = progress({ label: 'replay', total: 27_000, stream, clock, isTTY: true, redrawIntervalMs: 100 })
    bar.update(0)
    clock.advance(3_000)
    bar.update(12_300)
    clock.advance(50)
    bar.update(12_400) // within the redraw interval: not drawn
    clock.advance(50)
    bar.update(27_000)
    bar.finish()
    expect(stream.text().split('\r').slice(1)).toEqual([
      `replay [....................] 0% 0/27,000 -/s ETA -${ESC}[K`,
      `replay [#########...........] 45% 12,300/27,000 4,100/s ETA 4s${ESC}[K`,
      `replay [####################] 100% 27,000/27,000 8,710/s ETA 0s${ESC}[K`,
      `replay [####################] 100% 27,000/27,000 8,710/s ETA 0s${ESC}[K\n`,
    ])
  })

  test('takes the terminal from the stream when not told', () => {
    const clock = new ManualClock(0)
    const stream = Object.assign(new CapturedOutput(), { isTTY: true })
    progress({ label: 'x', total: 1, stream, clock }).update(0)
    expect(stream.text()).toMatch(/^\rx \[\.+\] 0%/)
  })

  const scriptAvailable = spawnSync('script', ['--version']).status === 0
  test.skipIf(!scriptAvailable)('draws the bar through a real pseudo-terminal, and plain lines through a pipe', async () => {
    const dir = temporaryDirectory()
    const demo = path.join(dir, 'demo.mts')
    const moduleUrl = (file: string): string => pathToFileURL(path.join(REPO_ROOT, file)).href
    fs.writeFileSync(
      demo,
      `import { progress } from '${moduleUrl('core/cli/progress.ts')}'
import { ManualClock } from '${moduleUrl('core/manual-clock.ts')}'
const clock = new ManualClock(0)
const bar = progress({ label: 'demo', total: 200, stream: process.stderr, clock, logIntervalMs: 1000 })
bar.update(0)
clock.advance(1000)
bar.update(100)
clock.advance(1000)
bar.update(200)
bar.finish()
process.stderr.write(process.stderr.isTTY ? 'on a terminal\\n' : 'on a pipe\\n')
`,
    )
    const onTerminal = await outputOf('script', ['-qefc', `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(demo)}`, '/dev/null'])
    expect(onTerminal).toContain('on a terminal')
    expect(onTerminal).toContain(`\rdemo [##########..........] 50% 100/200 100/s ETA 1s${ESC}[K`)
    expect(onTerminal).toContain(`\rdemo [####################] 100% 200/200 100/s ETA 0s${ESC}[K`)
    const onPipe = await outputOf(process.execPath, ['--import', 'tsx', demo])
    expect(onPipe.split('\n')).toEqual(['demo: 100/200 (50%), 100/s, ETA 1s', 'demo: 200/200 done in 2s, 100/s', 'on a pipe', ''])
  })
})

describe('figures', () => {
  test('a bar line and a log line show count, percentage, rate and time left', () => {
    const figures = { label: 'replay', done: 45, total: 100, elapsedMs: 9_000 }
    expect(renderBarLine(figures)).toBe('replay [#########...........] 45% 45/100 5/s ETA 11s')
    expect(renderLogLine(figures)).toBe('replay: 45/100 (45%), 5/s, ETA 11s')
  })

  test('an empty total is complete', () => {
    expect(renderBarLine({ label: 'r', done: 0, total: 0, elapsedMs: 0 })).toBe('r [####################] 100% 0/0 -/s ETA 0s')
  })

  test('time left reads in seconds, minutes or hours, rounded up', () => {
    expect([formatSeconds(0.2), formatSeconds(59), formatSeconds(65), formatSeconds(7_380)]).toEqual(['1s', '59s', '1m05s', '2h03m'])
  })
})

/** Runs a command to its end (in the repository, so `--import tsx` resolves); resolves to its stdout and stderr together. */
function outputOf(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`${command} exited ${code}: ${Buffer.concat(chunks).toString('utf8')}`))))
  })
}

describe('the long work of a running app', () => {
  /** An app whose metrics follow a script, one step each time the watch reads them. */
  function scriptedApp(steps: readonly ReturnType<LongWorkApp['metrics']>[]): LongWorkApp {
    let step = 0
    return { id: 'billing', metrics: () => steps[Math.min(step++, steps.length - 1)] ?? {} }
  }

  test('shows its stores restoring, then nothing for a small backlog', () => {
    const clock = new ManualClock(0)
    const stream = new CapturedOutput()
    const app = scriptedApp([
      { restores: [{ restored: 0, total: 1_000, done: false }], lag: [{ lag: 5 }] },
      { restores: [{ restored: 600, total: 1_000, done: false }], lag: [{ lag: 5 }] },
      { restores: [{ restored: 1_000, total: 1_000, done: true }], lag: [{ lag: 5 }] },
    ])
    const watch = watchLongWork(app, { stream, clock, isTTY: true, intervalMs: 1_000 })
    clock.advance(3_000)
    watch.stop()
    expect(stream.text().split('\r').slice(1)).toEqual([
      `restoring the stores of billing [....................] 0% 0/1,000 -/s ETA -${ESC}[K`,
      `restoring the stores of billing [############........] 60% 600/1,000 600/s ETA 1s${ESC}[K`,
      `restoring the stores of billing [####################] 100% 1,000/1,000 500/s ETA 0s${ESC}[K`,
      `restoring the stores of billing [####################] 100% 1,000/1,000 500/s ETA 0s${ESC}[K\n`,
    ])
  })

  test('shows a large backlog falling to zero, once', () => {
    const clock = new ManualClock(0)
    const stream = new CapturedOutput()
    const app = scriptedApp([{ lag: [{ lag: 15_000 }, { lag: 5_000 }] }, { lag: [{ lag: 4_000 }, { lag: 1_000 }] }, { lag: [{ lag: 0 }] }, { lag: [{ lag: 30_000 }] }])
    const watch = watchLongWork(app, { stream, clock, intervalMs: 5_000 })
    clock.advance(20_000)
    watch.stop()
    expect(stream.lines()).toEqual(['catching up billing: 15,000/20,000 (75%), 3,000/s, ETA 2s', 'catching up billing: 20,000/20,000 done in 10s, 2,000/s'])
  })

  test('shows nothing for an app whose runtime reports neither restores nor lag', () => {
    const clock = new ManualClock(0)
    const stream = new CapturedOutput()
    const watch = watchLongWork(scriptedApp([{}]), { stream, clock })
    clock.advance(10_000)
    watch.stop()
    expect(stream.text()).toBe('')
  })
})
