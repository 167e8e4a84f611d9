/**
 * @module registry/registry-contract-fixture
 * What the RegistryStore contract cases share: one store per run (opening and migrating a
 * PostgreSQL schema costs ~0.4 s, so not one per case), a manual clock, unique names so
 * cases never see each other's rows, and small builders.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before } from 'node:test'
import { MaasError, type ErrorCode } from '../core/errors.ts'
import type { RegistryStore } from './registry-store.ts'
import type { ArtifactRef, VersionRecord } from './version-store.ts'

/** Opens a fresh, empty, migrated store whose clock is `now`. */
export type RegistryStoreFactory = (options: { readonly now: () => number }) => Promise<RegistryStore>

export interface ContractFixture {
  readonly store: RegistryStore
  /** Current time of the store's clock, epoch ms. */
  now(): number
  advance(ms: number): void
  /** A name no other test has used: `${prefix}-${n}`. */
  unique(prefix: string): string
  /** Creates a model with a unique name; returns the name. */
  newModel(prefix?: string): Promise<string>
  /** Creates a version with an artifact and makes it READY. */
  readyVersion(model: string): Promise<VersionRecord>
}

const START = Date.parse('2030-01-02T03:04:05.000Z')
let counter = 0

/** A plausible artifact reference whose sha256 derives from `seed`. */
export function artifactRef(seed: string): ArtifactRef {
  const sha256 = createHash('sha256').update(seed).digest('hex')
  return { sha256, uri: `file:///artifacts/sha256/${sha256.slice(0, 2)}/${sha256}`, sizeBytes: seed.length, format: 'onnx' }
}

/** Asserts that `promise` rejects with a MaasError of `code` (and of `type`, when given). */
export async function rejectsWith(
  promise: Promise<unknown>,
  code: ErrorCode,
  type?: abstract new (...args: never[]) => Error,
): Promise<MaasError> {
  let caught: unknown
  await assert.rejects(promise, (error) => {
    caught = error
    return true
  })
  assert.ok(caught instanceof MaasError, `expected a MaasError, got ${String(caught)}`)
  assert.equal(caught.code, code, caught.message)
  if (type !== undefined) assert.ok(caught instanceof type, `expected ${type.name}, got ${caught.name}`)
  return caught
}

/** Registers before/after hooks in the current describe block that open and close a store. */
export function useRegistryStore(factory: RegistryStoreFactory): ContractFixture {
  let store: RegistryStore | undefined
  let time = START
  before(async () => {
    store = await factory({ now: () => time })
  })
  after(async () => {
    await store?.close()
  })
  const fixture: ContractFixture = {
    get store(): RegistryStore {
      assert.ok(store !== undefined, 'the store is opened in before()')
      return store
    },
    now: () => time,
    advance: (ms) => {
      time += ms
    },
    unique: (prefix) => `${prefix}-${++counter}`,
    async newModel(prefix = 'model') {
      const name = fixture.unique(prefix)
      await fixture.store.models.create({ name })
      return name
    },
    async readyVersion(model) {
      const created = await fixture.store.versions.create(model, { artifact: artifactRef(`${model}/${fixture.unique('v')}`) })
      return fixture.store.versions.setStatus(model, created.version, 'READY')
    },
  }
  return fixture
}
