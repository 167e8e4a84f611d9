/**
 * @module registry/sqlite-registry-store.test
 * The RegistryStore contract against SQLite (better-sqlite3), one temporary file per block.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after } from 'node:test'
import { openRegistry } from './open-registry.ts'
import { registryStoreContract } from './registry-store.contract.ts'

const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-registry-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let count = 0

registryStoreContract('SQLite', ({ now }) => openRegistry(path.join(dir, `registry-${++count}.sqlite`), { now }))
