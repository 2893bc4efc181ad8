import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import { inMemoryStores } from '../../state/backend/memory-backend.js'
import { rocksdbStores } from '../../state/backend/rocksdb-backend.js'
import type { BackendEntry, StoreBackend, StoreBackendFactory } from '../../state/backend/types.js'
import { LoggedBytesStore } from '../../state/logged-bytes-store.js'
import { readTime } from '../../state/time-bytes.js'

/** Every StoreBackend implementation, for suites that run against each. */
export const backendFactories: readonly { readonly name: string; readonly factory: StoreBackendFactory }[] = [
  { name: 'memory', factory: inMemoryStores() },
  { name: 'rocksdb', factory: rocksdbStores() },
]

/** Backends opened in temp directories, all closed and removed after each test. */
export interface Backends {
  /** A fresh directory (removed after the test). */
  dir(): string
  /** Opens a backend in `dir` (a fresh one by default). */
  open(dir?: string): Promise<StoreBackend>
}

export function useBackends(factory: StoreBackendFactory): Backends {
  const dirs: string[] = []
  const opened: StoreBackend[] = []
  afterEach(async () => {
    for (const backend of opened.splice(0)) await backend.close()
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })
  const dir = (): string => {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-state-'))
    dirs.push(created)
    return created
  }
  return {
    dir,
    open: async (at = dir()) => {
      const backend = await factory.open(at)
      opened.push(backend)
      return backend
    },
  }
}

/** Everything an async iterable yields. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = []
  for await (const item of iterable) items.push(item)
  return items
}

/** Entries as hex key → utf8 value pairs, easy to compare. */
export function hexEntries(entries: readonly BackendEntry[]): [string, string][] {
  return entries.map(({ key, value }) => [key.toString('hex'), value.toString()])
}

export function bytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex')
}

/** A LoggedBytesStore on `backend` whose changelog records are kept, as a changelog topic would. */
export function loggedBytes(backend: StoreBackend): { bytes: LoggedBytesStore; changelog: { key: Buffer; value: Buffer | null }[] } {
  const changelog: { key: Buffer; value: Buffer | null }[] = []
  return { bytes: new LoggedBytesStore(backend, (key, value) => changelog.push({ key, value })), changelog }
}

/** The segment ids of every key in a backend (keys of window and session stores open with theirs). */
export async function segmentsOnDisk(backend: StoreBackend): Promise<number[]> {
  const segments = new Set<number>()
  for await (const { key } of backend.range()) segments.add(readTime(key, 0))
  return [...segments]
}
