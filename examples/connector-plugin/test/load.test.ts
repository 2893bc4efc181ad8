import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { loadConnector } from 'tributary/connectors'

const pluginDir = path.resolve(import.meta.dirname, '..')
const appDirs: string[] = []

afterEach(() => {
  for (const dir of appDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

test('the runner loads the plugin by path, through its package.json', async () => {
  const connector = await loadConnector('./connector-plugin', path.dirname(pluginDir))
  expect(connector).toMatchObject({ kind: 'source', name: 'rest-poll-source' })
})

test('the runner loads the plugin by package name from an app that installed it', async () => {
  // What `npm install tributary-connector-rest-poll` (or `npm link`) leaves in an app.
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-poll-app-'))
  appDirs.push(appDir)
  fs.mkdirSync(path.join(appDir, 'node_modules'))
  fs.symlinkSync(pluginDir, path.join(appDir, 'node_modules', 'tributary-connector-rest-poll'), 'dir')
  const connector = await loadConnector('tributary-connector-rest-poll', appDir)
  expect(connector.name).toBe('rest-poll-source')
})
