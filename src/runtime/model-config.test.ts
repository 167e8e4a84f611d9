import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DEFAULT_MODEL_CONFIG, parseModelConfig, selectVersions, type VersionPolicy } from './model-config.ts'

const parse = (value: unknown) => parseModelConfig(JSON.stringify(value))

/** Asserts that parsing `text` throws an Error whose message contains every part. */
function assertRejected(text: string, ...parts: string[]): void {
  assert.throws(() => parseModelConfig(text), (error: unknown) => {
    assert.ok(error instanceof Error)
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`)
    return true
  })
}

describe('parseModelConfig: valid configs', () => {
  test('an empty object gives the defaults: no batching, latest 1 version, no engine options', () => {
    const config = parse({})
    assert.equal(config.maxBatchSize, 0)
    assert.equal(config.labels, undefined)
    assert.deepEqual(config.versionPolicy, { kind: 'latest', count: 1 })
    assert.deepEqual(config.engine, {})
    assert.deepEqual(DEFAULT_MODEL_CONFIG.versionPolicy, { kind: 'latest', count: 1 })
    assert.ok(Object.isFrozen(DEFAULT_MODEL_CONFIG))
  })

  test('reads max_batch_size and labels', () => {
    const config = parse({ max_batch_size: 64, labels: ['cat', 'dog', ''] })
    assert.equal(config.maxBatchSize, 64)
    assert.deepEqual(config.labels, ['cat', 'dog', ''])
    assert.equal(parse({ max_batch_size: 0 }).maxBatchSize, 0)
    assert.deepEqual(parse({ labels: [] }).labels, [])
  })

  test('accepts the Triton keys it does not use: name, platform onnxruntime_onnx, backend, parameters', () => {
    const config = parse({ name: 'mlp', platform: 'onnxruntime_onnx', backend: 'onnxruntime', parameters: { key: { string_value: 'v' } }, max_batch_size: 2 })
    assert.equal(config.maxBatchSize, 2)
  })

  test('reads each version_policy form', () => {
    assert.deepEqual(parse({ version_policy: { latest: { num_versions: 3 } } }).versionPolicy, { kind: 'latest', count: 3 })
    assert.deepEqual(parse({ version_policy: { latest: {} } }).versionPolicy, { kind: 'latest', count: 1 })
    assert.deepEqual(parse({ version_policy: { all: {} } }).versionPolicy, { kind: 'all' })
    assert.deepEqual(parse({ version_policy: { specific: { versions: [3, 1, 0] } } }).versionPolicy, { kind: 'specific', versions: [3, 1, 0] })
  })

  test('reads every engine option, snake_case to camelCase', () => {
    const config = parse({ engine: { intra_op_threads: 4, inter_op_threads: 2, graph_optimization_level: 'extended', execution_mode: 'parallel' } })
    assert.deepEqual(config.engine, { intraOpThreads: 4, interOpThreads: 2, graphOptimizationLevel: 'extended', executionMode: 'parallel' })
  })

  test('engine options that are not given stay absent, so server defaults apply', () => {
    assert.deepEqual(parse({ engine: { intra_op_threads: 1 } }).engine, { intraOpThreads: 1 })
    assert.deepEqual(parse({ engine: {} }).engine, {})
    assert.deepEqual(parse({ engine: { graph_optimization_level: 'disabled' } }).engine, { graphOptimizationLevel: 'disabled' })
    assert.deepEqual(parse({ engine: { inter_op_threads: 256, execution_mode: 'sequential' } }).engine, { interOpThreads: 256, executionMode: 'sequential' })
  })
})

describe('parseModelConfig: invalid configs', () => {
  test('text that is not JSON', () => {
    assertRejected('{ max_batch_size: 8 }', 'config.json is not valid JSON')
    assertRejected('', 'config.json is not valid JSON')
  })

  test('a warm-up batch_size above max_batch_size (it would build a batch the model is never sent)', () => {
    assertRejected(JSON.stringify({ max_batch_size: 8, model_warmup: [{ batch_size: 9 }] }), 'model_warmup[0].batch_size 9 exceeds max_batch_size 8')
    assert.equal(parse({ max_batch_size: 8, model_warmup: [{ batch_size: 8 }] }).warmup?.[0]?.batchSize, 8)
  })

  test('JSON that is not an object', () => {
    for (const text of ['[]', 'null', '8', '"config"']) assertRejected(text, 'config.json must hold a JSON object')
  })

  test('an unknown key, naming it and the known keys', () => {
    assertRejected(JSON.stringify({ max_batch: 8 }), "unknown key 'max_batch'", 'known keys: name, platform, backend, max_batch_size, labels, version_policy, engine, parameters')
  })

  test('a platform other than onnxruntime_onnx', () => {
    assertRejected(JSON.stringify({ platform: 'tensorflow_savedmodel' }), "platform 'tensorflow_savedmodel' is not served", "maas serves 'onnxruntime_onnx'")
  })

  test('max_batch_size that is not a non-negative integer', () => {
    for (const value of [-1, 1.5, '8', null, true]) {
      assertRejected(JSON.stringify({ max_batch_size: value }), 'max_batch_size must be a non-negative integer')
    }
  })

  test('labels that are not an array of strings', () => {
    for (const value of ['a,b', [1, 2], ['a', null], { 0: 'a' }, null]) {
      assertRejected(JSON.stringify({ labels: value }), 'labels must be an array of strings')
    }
  })

  test('a version_policy that is not exactly one known form', () => {
    const expected = 'version_policy must be one of {"latest":{"num_versions":N}}, {"all":{}}, {"specific":{"versions":[...]}}'
    for (const value of [{}, [], 'latest', null, { latest: {}, all: {} }, { newest: {} }, { latest: 2 }, { all: true }, { specific: [1] }]) {
      assertRejected(JSON.stringify({ version_policy: value }), expected)
    }
  })

  test('latest.num_versions that is not a positive integer', () => {
    for (const value of [0, -2, 1.5, '2']) {
      assertRejected(JSON.stringify({ version_policy: { latest: { num_versions: value } } }), 'version_policy.latest.num_versions must be a positive integer')
    }
  })

  test('specific.versions that is not a non-empty array of version numbers', () => {
    for (const value of [[], undefined, 3, [1, -1], [1.5], ['1']]) {
      assertRejected(JSON.stringify({ version_policy: { specific: { versions: value } } }), 'version_policy.specific.versions must be a non-empty array of version numbers')
    }
  })

  test('engine that is not an object', () => {
    for (const value of ['fast', [], null, 4]) assertRejected(JSON.stringify({ engine: value }), 'engine must be an object')
  })

  test('an unknown engine option, naming the known ones', () => {
    assertRejected(JSON.stringify({ engine: { intraOpThreads: 2 } }), "unknown engine option 'intraOpThreads'", 'known: intra_op_threads, inter_op_threads, graph_optimization_level, execution_mode')
  })

  test('engine option values out of range or not in the allowed set', () => {
    const cases: Array<[string, unknown]> = [
      ['intra_op_threads', 0],
      ['intra_op_threads', 257],
      ['intra_op_threads', 1.5],
      ['intra_op_threads', '2'],
      ['inter_op_threads', 0],
      ['graph_optimization_level', 'max'],
      ['graph_optimization_level', 'ALL'],
      ['execution_mode', 'concurrent'],
      ['execution_mode', null],
    ]
    for (const [key, value] of cases) {
      assertRejected(JSON.stringify({ engine: { [key]: value } }), `engine.${key} has an invalid value ${JSON.stringify(value)}`)
    }
  })
})

describe('selectVersions', () => {
  const latest = (count: number): VersionPolicy => ({ kind: 'latest', count })

  test('latest n serves the n highest versions, highest first, from unsorted input', () => {
    assert.deepEqual(selectVersions(latest(1), [1, 3, 2]), [3])
    assert.deepEqual(selectVersions(latest(2), [1, 3, 2]), [3, 2])
    assert.deepEqual(selectVersions(latest(2), [10, 9, 100]), [100, 10], 'sorted numerically, not as strings')
  })

  test('latest n with fewer than n versions on disk serves them all', () => {
    assert.deepEqual(selectVersions(latest(5), [2, 1]), [2, 1])
    assert.deepEqual(selectVersions(latest(1), []), [])
  })

  test('all serves every version, highest first', () => {
    assert.deepEqual(selectVersions({ kind: 'all' }, [2, 7, 1]), [7, 2, 1])
    assert.deepEqual(selectVersions({ kind: 'all' }, []), [])
  })

  test('specific serves only the listed versions that are on disk', () => {
    assert.deepEqual(selectVersions({ kind: 'specific', versions: [1, 3] }, [1, 2, 3]), [3, 1])
    assert.deepEqual(selectVersions({ kind: 'specific', versions: [1, 4, 9] }, [1, 2, 3]), [1], 'versions missing on disk are left out')
    assert.deepEqual(selectVersions({ kind: 'specific', versions: [4, 5] }, [1, 2, 3]), [])
  })

  test('does not reorder the array it is given', () => {
    const available = [1, 3, 2]
    selectVersions({ kind: 'all' }, available)
    assert.deepEqual(available, [1, 3, 2])
  })
})
