import { describe, expect, it } from 'vitest'
import { runCli, temporaryDataDir } from './helpers.js'

describe('tributary topics', () => {
  it('creates a topic and says so', async () => {
    const dataDir = temporaryDataDir()
    const run = await runCli(['topics', 'create', 'events', '--partitions', '3', '--data', dataDir])
    expect(run).toEqual({ code: 0, stdout: 'created topic events with 3 partitions\n', stderr: '' })
  })

  it('lists topics one name a line, sorted', async () => {
    const dataDir = temporaryDataDir()
    for (const name of ['orders', 'clicks']) {
      expect((await runCli(['topics', 'create', name, '--partitions', '1', '--data', dataDir])).code).toBe(0)
    }
    expect(await runCli(['topics', 'list', '--data', dataDir])).toEqual({ code: 0, stdout: 'clicks\norders\n', stderr: '' })
  })

  it('lists nothing for a data directory without topics', async () => {
    const dataDir = temporaryDataDir()
    await runCli(['topics', 'create', 'a', '--partitions', '1', '--data', dataDir])
    await runCli(['topics', 'delete', 'a', '--data', dataDir])
    expect(await runCli(['topics', 'list', '--data', dataDir])).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  it('describes a topic: its settings, then offsets and size per partition', async () => {
    const dataDir = temporaryDataDir()
    await runCli(['topics', 'create', 'table', '--partitions', '2', '--compact', '--retention-ms', '-1', '--data', dataDir])
    await runCli(['produce', 'table', '--key-separator', ':', '--data', dataDir], { stdin: 'a:1\nb:2\nc:3\n' })
    const run = await runCli(['topics', 'describe', 'table', '--data', dataDir])
    expect(run.code).toBe(0)
    const [settings = '', table = ''] = run.stdout.split('\n\n')
    expect(settings).toMatch(/^topic: +table$/m)
    expect(settings).toMatch(/^partitions: +2$/m)
    expect(settings).toMatch(/^cleanup: +compact$/m)
    expect(settings).toMatch(/^retentionMs: +-1 \(forever\)$/m)
    const [header, ...rows] = table.trimEnd().split('\n')
    expect(header).toMatch(/^partition +start offset +end offset +size$/)
    expect(rows).toHaveLength(2)
    const parsed = rows.map((row) => row.trim().split(/ {2,}/))
    expect(parsed.map((cells) => cells[0])).toEqual(['0', '1'])
    expect(parsed.map((cells) => cells[1])).toEqual(['0', '0'])
    expect(parsed.reduce((sum, cells) => sum + Number(cells[2]), 0)).toBe(3)
    for (const cells of parsed) expect(cells[3]).toMatch(/^(\d+ B|\d+\.\d (KiB|MiB|GiB))$/)
  })

  it('deletes a topic, which is then gone', async () => {
    const dataDir = temporaryDataDir()
    await runCli(['topics', 'create', 'old', '--partitions', '1', '--data', dataDir])
    expect(await runCli(['topics', 'delete', 'old', '--data', dataDir])).toEqual({
      code: 0,
      stdout: 'deleted topic old\n',
      stderr: '',
    })
    const describe = await runCli(['topics', 'describe', 'old', '--data', dataDir])
    expect(describe.code).toBe(1)
  })

  it('reports an unknown topic with the log message and code, exit 1, no stack trace', async () => {
    const dataDir = temporaryDataDir()
    await runCli(['topics', 'create', 'a', '--partitions', '1', '--data', dataDir])
    for (const args of [
      ['topics', 'describe', 'missing'],
      ['topics', 'delete', 'missing'],
      ['produce', 'missing'],
      ['consume', 'missing', '--max', '1'],
    ]) {
      const run = await runCli([...args, '--data', dataDir])
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(/^error: .*missing.* \(TRIBUTARY_UNKNOWN_TOPIC_OR_PARTITION\)\n$/)
    }
  })

  it('reports creating a topic that exists, exit 1', async () => {
    const dataDir = temporaryDataDir()
    await runCli(['topics', 'create', 'a', '--partitions', '1', '--data', dataDir])
    const run = await runCli(['topics', 'create', 'a', '--partitions', '1', '--data', dataDir])
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'error: topic a already exists (TRIBUTARY_TOPIC_EXISTS)\n' })
  })

  it('reports a read on a data directory that does not exist, without creating it', async () => {
    const dataDir = temporaryDataDir()
    const run = await runCli(['topics', 'list', '--data', dataDir])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`no data directory at ${dataDir}`)
    expect(run.stderr).toContain('(TRIBUTARY_CONFIG)')
  })
})
