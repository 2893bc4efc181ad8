#!/usr/bin/env node
// Runs the CLI from its TypeScript sources: tsx compiles them on import, so there is no build step.
import { register } from 'tsx/esm/api'

register()
const { runFromProcess } = await import('./main.ts')
await runFromProcess()
