/**
 * @module control/usage-meter.test
 * UsageMeter against a real SQLite registry with a test clock: aggregation in memory,
 * flushes, queries that merge unflushed counts, UTC days, retries after a failed write, and
 * the Prometheus counters.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, afterEach, beforeEach, describe, it } from 'node:test'
import { Registry } from 'prom-client'
import { openRegistry } from '../registry/open-registry.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import type { UsageStore } from '../registry/usage-store.ts'
import { UsageMeter, type UsageEvent } from './usage-meter.ts'

const dir = mkdtempSync(path.join(os.tmpdir(), 'maas-usage-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const T0 = Date.parse('2030-01-01T23:59:59Z')

let now = T0
let registry: RegistryStore
let count = 0
beforeEach(async () => {
  now = T0
  registry = await openRegistry(path.join(dir, `registry-${++count}.sqlite`))
})
afterEach(() => registry.close())

const event = (fields: Partial<UsageEvent> = {}): UsageEvent =>
  ({ keyId: 'k1', model: 'm', version: 1, samples: 2, error: false, computeNs: 1500, ...fields })

describe('UsageMeter', () => {
  it('adds requests, samples, errors and compute time per key, model, version and day, written on flush', async () => {
    const meter = new UsageMeter({ store: registry.usage, now: () => now })
    meter.record(event())
    meter.record(event({ error: true, samples: 1, computeNs: 0 }))
    meter.record(event({ keyId: null, version: 2 }))
    assert.deepEqual(await registry.usage.list(), [], 'nothing is written per request')
    await meter.flush()
    assert.deepEqual(await registry.usage.list(), [
      { keyId: 'k1', model: 'm', version: 1, day: '2030-01-01', requests: 2, samples: 3, errors: 1, computeNs: 1500 },
      { keyId: null, model: 'm', version: 2, day: '2030-01-01', requests: 1, samples: 2, errors: 0, computeNs: 1500 },
    ])
    await meter.flush()
    assert.equal((await registry.usage.list())[0]!.requests, 2, 'a flush with nothing new adds nothing')
  })

  it('counts a request in the UTC day it finished, across midnight', async () => {
    const meter = new UsageMeter({ store: registry.usage, now: () => now })
    meter.record(event())
    now = T0 + 2000
    meter.record(event())
    await meter.stop()
    assert.deepEqual((await registry.usage.list()).map((row) => [row.day, row.requests]), [['2030-01-01', 1], ['2030-01-02', 1]])
  })

  it('answers queries with flushed and unflushed counts together, filtered like the registry', async () => {
    const meter = new UsageMeter({ store: registry.usage, now: () => now })
    meter.record(event())
    await meter.flush()
    meter.record(event({ samples: 5 }))
    meter.record(event({ model: 'other' }))
    meter.record(event({ keyId: null }))
    const all = await meter.usage()
    assert.deepEqual(all.map((row) => [row.keyId, row.model, row.requests, row.samples]), [[null, 'm', 1, 2], ['k1', 'm', 2, 7], ['k1', 'other', 1, 2]])
    assert.deepEqual((await meter.usage({ keyId: 'k1', model: 'm' })).map((row) => row.requests), [2])
    assert.deepEqual((await meter.usage({ keyId: null })).map((row) => row.model), ['m'])
    assert.deepEqual(await meter.usage({ fromDay: '2030-01-02' }), [])
  })

  it('keeps the counts of a failed write and writes them with the next flush, counted once', async () => {
    let failures = 1
    const store: UsageStore = {
      increment: async (increments) => {
        if (failures-- > 0) throw new Error('database is locked')
        return registry.usage.increment(increments)
      },
      list: (filter) => registry.usage.list(filter),
    }
    const metrics = new Registry()
    const meter = new UsageMeter({ store, metrics, now: () => now })
    meter.record(event())
    await assert.rejects(meter.flush(), /database is locked/)
    meter.record(event())
    assert.equal((await meter.usage())[0]!.requests, 2, 'queries still see the unwritten counts')
    await meter.flush()
    assert.equal((await registry.usage.list())[0]!.requests, 2)
    const requests = (await metrics.getSingleMetric('maas_usage_requests_total')!.get()).values
    assert.deepEqual(requests.map((value) => value.value), [2])
  })

  it('exports maas_usage_* counters by key and model on the given registry', async () => {
    const metrics = new Registry()
    const meter = new UsageMeter({ store: registry.usage, metrics, now: () => now })
    meter.record(event({ computeNs: 2e9 }))
    meter.record(event({ keyId: null, error: true }))
    await meter.flush()
    const text = await metrics.metrics()
    assert.match(text, /maas_usage_requests_total\{key="k1",model="m"\} 1/)
    assert.match(text, /maas_usage_requests_total\{key="anonymous",model="m"\} 1/)
    assert.match(text, /maas_usage_samples_total\{key="k1",model="m"\} 2/)
    assert.match(text, /maas_usage_errors_total\{key="anonymous",model="m"\} 1/)
    assert.match(text, /maas_usage_compute_seconds_total\{key="k1",model="m"\} 2/)
  })

  it('flushes on its own every flushIntervalMs once started, and on stop', async () => {
    const meter = new UsageMeter({ store: registry.usage, flushIntervalMs: 20 })
    meter.start()
    meter.record(event())
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal((await registry.usage.list()).length, 1)
    meter.record(event())
    await meter.stop()
    assert.equal((await registry.usage.list())[0]!.requests, 2)
  })

  it('ignores samples and compute times that are not counts', async () => {
    const meter = new UsageMeter({ store: registry.usage, now: () => now })
    meter.record(event({ samples: Number.NaN, computeNs: -5 }))
    meter.record(event({ samples: 1.5 as number }))
    await meter.flush()
    const [row] = await registry.usage.list()
    assert.deepEqual([row!.requests, row!.samples, row!.computeNs], [2, 0, 1500])
  })
})
