import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseDuration } from './duration.ts'

describe('parseDuration', () => {
  it('reads seconds, minutes, hours, days and weeks, and plain seconds', () => {
    assert.equal(parseDuration('90s'), 90)
    assert.equal(parseDuration('15m'), 900)
    assert.equal(parseDuration('1h'), 3600)
    assert.equal(parseDuration('30d'), 2_592_000)
    assert.equal(parseDuration('2w'), 1_209_600)
    assert.equal(parseDuration('0'), 0)
    assert.equal(parseDuration('45'), 45)
  })

  it('refuses anything else', () => {
    for (const text of ['', 'h', '1.5h', '-1h', '1y', '1 h', '1hh', '10000000000']) assert.equal(parseDuration(text), undefined, text)
  })
})
