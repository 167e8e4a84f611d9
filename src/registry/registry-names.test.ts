/**
 * @module registry/registry-names.test
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidArgumentError } from '../core/errors.ts'
import { assertAliasName, assertModelName, assertOneOf, assertVersionNumber } from './registry-names.ts'

describe('registry names', () => {
  it('accepts Triton-style model names and refuses the rest', () => {
    for (const name of ['simple', 'resnet50_v1.5', 'A-1', 'x'.repeat(128)]) assertModelName(name)
    for (const name of ['', '.hidden', '_x', 'a/b', 'a b', 'ü', 'x'.repeat(129)]) {
      assert.throws(() => assertModelName(name), InvalidArgumentError, name)
    }
  })

  it('accepts lower-case alias words, never a bare number', () => {
    for (const name of ['production', 'staging', 'canary-eu_2', 'a']) assertAliasName(name)
    for (const name of ['', '1', '12', 'Prod', '-a', 'a.b', 'x'.repeat(64)]) {
      assert.throws(() => assertAliasName(name), InvalidArgumentError, name)
    }
  })

  it('accepts positive integer versions only', () => {
    assertVersionNumber(1)
    for (const version of [0, -3, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => assertVersionNumber(version), InvalidArgumentError)
  })

  it('checks enumerations', () => {
    assertOneOf('role', 'admin', ['admin', 'consumer'])
    assert.throws(() => assertOneOf('role', 'root', ['admin', 'consumer']), /role 'root' must be one of admin, consumer/)
  })
})
