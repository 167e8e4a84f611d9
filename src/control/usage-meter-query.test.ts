import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseUsageQuery } from './usage-meter-query.ts'

const parse = (query: string) => parseUsageQuery(new URLSearchParams(query))

describe('parseUsageQuery', () => {
  it('turns key, model, version and days into a filter; empty values are no condition', () => {
    assert.deepEqual(parse('key=k1&model=m&version=3&from=2030-01-01&to=2030-01-31'),
      { keyId: 'k1', model: 'm', version: 3, fromDay: '2030-01-01', toDay: '2030-01-31' })
    assert.deepEqual(parse('key=&model='), {})
    assert.deepEqual(parse('key=anonymous'), { keyId: null })
  })

  for (const [query, message] of [
    ['day=2030-01-01', /unknown query parameter 'day'; known: key, model, version, from, to/],
    ['from=2030-1-1', /'from' must be a day written YYYY-MM-DD \(UTC\), got '2030-1-1'/],
    ['to=2030-02-30', /'to' must be a day/],
    ['from=2030-02-02&to=2030-02-01', /'from' \(2030-02-02\) is after 'to' \(2030-02-01\)/],
    ['version=0', /'version' must be a positive integer/],
    ['model=a&model=b', /'model' is given more than once/],
  ] as const) {
    it(`refuses ${query}`, () => assert.throws(() => parse(query), message))
  }
})
