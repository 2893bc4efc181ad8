import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { RocksDBBackend, rocksdbStores } from '../../state/backend/rocksdb-backend.js'
import { StateStoreClosedError, StateStoreLockedError } from '../../state/errors.js'
import { backendContractSuite } from './backend.suite.js'
import { bytes, useBackends } from './helpers.js'

backendContractSuite('rocksdb', rocksdbStores(), { reopen: true, exclusiveDirectory: true, exactCount: false })

describe('RocksDBBackend', () => {
  const backends = useBackends(rocksdbStores())
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })

  test('the factory says rocksdb, persistent', () => {
    expect(rocksdbStores()).toMatchObject({ kind: 'rocksdb', persistent: true })
  })

  test('gets issued in the same tick go to RocksDB as one read batch', async () => {
    const backend = (await backends.open()) as RocksDBBackend
    await backend.write([{ key: bytes('01'), value: Buffer.from('a') }])
    const before = backend.stats
    const values = await Promise.all(Array.from({ length: 1_000 }, (_, i) => backend.get(bytes(i % 2 === 0 ? '01' : '02'))))
    expect(values.filter((value) => value !== undefined)).toHaveLength(500)
    expect(backend.stats.readBatches - before.readBatches).toBe(1)
    expect(backend.stats.gets - before.gets).toBe(1_000)
  })

  test('gets of separate ticks go in separate batches', async () => {
    const backend = (await backends.open()) as RocksDBBackend
    const before = backend.stats.readBatches
    await backend.get(bytes('01'))
    await backend.get(bytes('01'))
    expect(backend.stats.readBatches - before).toBe(2)
  })

  test('a write of many entries is one write batch', async () => {
    const backend = (await backends.open()) as RocksDBBackend
    const before = backend.stats.writeBatches
    await backend.write(Array.from({ length: 1_000 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: i % 2 === 0 ? Buffer.from('v') : null })))
    expect(backend.stats.writeBatches - before).toBe(1)
  })

  test('close waits for gets already issued, which are answered', async () => {
    const backend = await backends.open()
    await backend.write([{ key: bytes('01'), value: Buffer.from('a') }])
    const gets = [backend.get(bytes('01')), backend.get(bytes('02'))]
    await backend.close()
    expect((await Promise.all(gets)).map((value) => value?.toString())).toEqual(['a', undefined])
  })

  test('using a closed backend throws StateStoreClosedError naming the operation', async () => {
    const backend = await backends.open()
    await backend.close()
    expect(() => backend.get(bytes('01'))).toThrow(StateStoreClosedError)
    await expect(backend.write([])).rejects.toMatchObject({ code: 'TRIBUTARY_STATE_CLOSED', message: expect.stringContaining('write') })
  })

  test('a directory held by another process fails with StateStoreLockedError', async () => {
    const dir = backends.dir()
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'rocksdb-lock-child.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    const [line] = await new Promise<string[]>((resolve) => child.stdout!.once('data', (chunk) => resolve(String(chunk).split('\n'))))
    expect(line).toBe('ready')
    const open = RocksDBBackend.open(dir)
    await expect(open).rejects.toBeInstanceOf(StateStoreLockedError)
    await expect(open).rejects.toMatchObject({ dir, message: expect.stringContaining(dir) })
  })
})
