import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli, temporaryDataDir } from './helpers.js'

/** Runs a command line that must be refused as a usage error, and returns its stderr. */
async function expectUsageError(args: readonly string[], usageLine: string): Promise<string> {
  const run = await runCli(args)
  expect(run.code).toBe(2)
  expect(run.stdout).toBe('')
  expect(run.stderr).toMatch(/^error: /)
  expect(run.stderr).toContain(usageLine)
  expect(run.stderr).not.toMatch(/\n\s+at /) // no stack trace
  return run.stderr
}

describe('tributary command line', () => {
  it('prints the overview for --help, -h and help, on stdout with exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await runCli(args)
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Usage: tributary <command> [options]')
      expect(run.stdout).toContain('consume TOPIC')
      expect(run.stderr).toBe('')
    }
  })

  it('prints a command usage for help COMMAND and COMMAND --help', async () => {
    for (const args of [['help', 'consume'], ['consume', '--help'], ['consume', '-h']]) {
      const run = await runCli(args)
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Usage: tributary consume TOPIC')
    }
    expect((await runCli(['help', 'produce'])).stdout).toContain('Usage: tributary produce TOPIC')
    expect((await runCli(['topics', '--help'])).stdout).toContain('topics create NAME --partitions N')
  })

  it('refuses a missing command with the overview, exit 2', async () => {
    expect(await expectUsageError([], 'Usage: tributary <command>')).toContain('missing command')
  })

  it('refuses an unknown command with the overview, exit 2', async () => {
    expect(await expectUsageError(['frobnicate'], 'Usage: tributary <command>')).toContain('"frobnicate"')
    expect(await expectUsageError(['help', 'frobnicate'], 'Usage: tributary <command>')).toContain('"frobnicate"')
  })

  it('refuses an option before the command', async () => {
    await expectUsageError(['--data', 'x', 'topics', 'list'], 'Usage: tributary <command>')
  })

  it('refuses an unknown flag with the command usage', async () => {
    expect(await expectUsageError(['topics', 'list', '--verbose'], 'Usage: tributary topics')).toContain('--verbose')
    expect(await expectUsageError(['produce', 't', '--partition', '1'], 'Usage: tributary produce')).toContain('--partition')
  })

  it('refuses an unknown topics subcommand and a missing one', async () => {
    expect(await expectUsageError(['topics', 'rename', 'a'], 'Usage: tributary topics')).toContain('"rename"')
    expect(await expectUsageError(['topics'], 'Usage: tributary topics')).toContain('missing subcommand')
  })

  it('refuses topics create without --partitions or without a value for it', async () => {
    expect(await expectUsageError(['topics', 'create', 'a'], 'Usage: tributary topics')).toContain('--partitions')
    expect(await expectUsageError(['topics', 'create', 'a', '--partitions'], 'Usage: tributary topics')).toContain(
      '--partitions',
    )
  })

  it('refuses a partition count that is not a positive integer', async () => {
    for (const value of ['three', '1.5', '0', '-2', '3x', '']) {
      const stderr = await expectUsageError(['topics', 'create', 'a', `--partitions=${value}`], 'Usage: tributary topics')
      expect(stderr).toContain('--partitions must be')
    }
  })

  it('refuses a retention below -1', async () => {
    await expectUsageError(['topics', 'create', 'a', '--partitions', '1', '--retention-ms', '-5'], 'Usage: tributary topics')
  })

  it('refuses create-only options on other subcommands', async () => {
    expect(await expectUsageError(['topics', 'list', '--compact'], 'Usage: tributary topics')).toContain(
      '--compact is an option of topics create only',
    )
  })

  it('refuses a missing topic name and an extra argument', async () => {
    expect(await expectUsageError(['topics', 'describe'], 'Usage: tributary topics')).toContain('missing NAME')
    expect(await expectUsageError(['produce'], 'Usage: tributary produce')).toContain('missing TOPIC')
    expect(await expectUsageError(['consume', 'a', 'b'], 'Usage: tributary consume')).toContain('"b"')
  })

  it('refuses an invalid topic name before touching the data directory', async () => {
    const dataDir = temporaryDataDir()
    const stderr = await expectUsageError(
      ['topics', 'create', '../escape', '--partitions', '1', '--data', dataDir],
      'Usage: tributary topics',
    )
    expect(stderr).toContain('invalid topic name')
    expect(fs.existsSync(dataDir)).toBe(false)
  })

  it('refuses bad consume options', async () => {
    expect(await expectUsageError(['consume', 't', '--format', 'xml'], 'Usage: tributary consume')).toContain('--format')
    expect(await expectUsageError(['consume', 't', '--max', '0'], 'Usage: tributary consume')).toContain('--max')
    expect(await expectUsageError(['consume', 't', '--timeout-ms', 'soon'], 'Usage: tributary consume')).toContain(
      '--timeout-ms',
    )
    expect(await expectUsageError(['consume', 't', '--group', ''], 'Usage: tributary consume')).toContain('--group')
  })

  it('refuses an empty key separator and an empty data directory', async () => {
    await expectUsageError(['produce', 't', '--key-separator', ''], 'Usage: tributary produce')
    await expectUsageError(['topics', 'list', '--data', ''], 'Usage: tributary topics')
  })
})
