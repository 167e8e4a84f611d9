/**
 * @module registry/registry-store.contract
 * The RegistryStore contract: every behaviour the rest of maas relies on, as one suite that
 * runs unchanged against each database (sqlite-registry-store.test.ts,
 * postgres-registry-store.test.ts). No mocks: a real, freshly migrated database each time.
 */
import { describe } from 'node:test'
import { aliasStoreContract } from './alias-store.contract.ts'
import { accessStoreContract } from './access-store.contract.ts'
import { jobStoreContract } from './job-store.contract.ts'
import { lineageStoreContract } from './lineage-store.contract.ts'
import { modelStoreContract } from './model-store.contract.ts'
import { useRegistryStore, type RegistryStoreFactory } from './registry-contract-fixture.ts'
import { versionStoreContract } from './version-store.contract.ts'

export type { RegistryStoreFactory } from './registry-contract-fixture.ts'

/** Runs the whole contract against stores made by `factory`. */
export function registryStoreContract(label: string, factory: RegistryStoreFactory): void {
  describe(`RegistryStore contract (${label})`, () => {
    // One store for the whole run: every case works on names of its own (fx.unique), so
    // cases cannot see each other's rows, and a database is opened and migrated only once.
    const fx = useRegistryStore(factory)
    modelStoreContract(fx)
    versionStoreContract(fx)
    aliasStoreContract(fx)
    lineageStoreContract(fx)
    jobStoreContract(fx)
    accessStoreContract(fx)
  })
}
