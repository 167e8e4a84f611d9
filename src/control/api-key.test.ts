import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeApiKey, generateApiKey, splitApiKey } from './api-key.ts'

describe('splitApiKey', () => {
  it('splits a generated key into its prefix and secret', () => {
    const { key, prefix } = generateApiKey()
    assert.deepEqual(splitApiKey(key), { prefix, secret: key.slice(14) })
    assert.equal(describeApiKey(prefix), `maas_${prefix}_…`)
  })

  it('answers null for anything that is not a key, rather than throwing', () => {
    for (const text of ['', 'maas_', `maas_ABCD2345_${'a'.repeat(43)}`, `maas_abcd2345_${'a'.repeat(42)}`, `x${generateApiKey().key}`]) {
      assert.equal(splitApiKey(text), null, text)
    }
  })
})
