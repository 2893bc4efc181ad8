import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../..')
const examples = fs.readdirSync(path.join(root, 'examples')).filter((name) => fs.existsSync(path.join(root, 'examples', name, 'index.ts')))

describe('every example app runs on its own', () => {
  test.each(examples)('examples/%s/index.ts exits 0 and reports', async (name) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join('examples', name, 'index.ts')], { cwd: root, timeout: 120_000 })
    expect(stdout.length).toBeGreaterThan(0)
  })

  test('wordcount prints the top words of the bundled text', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/wordcount/index.ts', '--top', '3'], { cwd: root, timeout: 120_000 })
    expect(stdout).toContain('top 3 words:')
    expect(stdout).toMatch(/\s25\s+the\n/)
  })
})
