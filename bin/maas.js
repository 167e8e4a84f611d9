#!/usr/bin/env node
// Launches the TypeScript CLI through tsx's loader, so `npx maas …` works right after `npm ci`.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
