import assert from 'node:assert/strict'
import { test } from 'node:test'
import { InvalidArgumentError } from '../core/errors.ts'
import { computeFans, generateWeights, initializer } from './initializers.ts'
import { conv2d, dense, sequential } from './index.ts'

function moments(values: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0
  let min = Infinity
  let max = -Infinity
  for (const value of values) {
    sum += value
    min = Math.min(min, value)
    max = Math.max(max, value)
  }
  const mean = sum / values.length
  let squares = 0
  for (const value of values) squares += (value - mean) ** 2
  return { mean, variance: squares / values.length, min, max }
}

test("fans follow Keras: [in, out] for dense, receptive field × channels for conv kernels", () => {
  assert.deepEqual(computeFans([784, 128]), { fanIn: 784, fanOut: 128 })
  assert.deepEqual(computeFans([3, 3, 32, 64]), { fanIn: 288, fanOut: 576 })
  assert.deepEqual(computeFans([10]), { fanIn: 10, fanOut: 10 })
})

const kernel = [3, 3, 64, 128] // fan_in 576, fan_out 1152
const count = 3 * 3 * 64 * 128
const cases = [
  ['glorot_uniform', 2 / (576 + 1152), Math.sqrt(6 / (576 + 1152))],
  ['glorot_normal', 2 / (576 + 1152), 2 * Math.sqrt(2 / (576 + 1152)) / 0.87962566103423978],
  ['he_uniform', 2 / 576, Math.sqrt(6 / 576)],
  ['he_normal', 2 / 576, 2 * Math.sqrt(2 / 576) / 0.87962566103423978],
  ['lecun_normal', 1 / 576, 2 * Math.sqrt(1 / 576) / 0.87962566103423978],
] as const

for (const [name, variance, bound] of cases) {
  test(`${name} on a conv kernel has mean ~0, Keras' variance and stays within its bound`, () => {
    const stats = moments(generateWeights(initializer(name), count, kernel, 11))
    assert.ok(Math.abs(stats.mean) < 0.01 * Math.sqrt(variance) * 10, `mean ${stats.mean}`)
    assert.ok(Math.abs(stats.variance / variance - 1) < 0.03, `variance ${stats.variance}, expected ${variance}`)
    assert.ok(stats.max <= bound + 1e-6 && stats.min >= -bound - 1e-6, `range [${stats.min}, ${stats.max}] beyond ${bound}`)
  })
}

test('random_normal, random_uniform, zeros, ones and constant give their configured values', () => {
  const normal = moments(generateWeights(initializer('random_normal', { mean: 1, stddev: 0.5 }), 50_000, [50_000], 3))
  assert.ok(Math.abs(normal.mean - 1) < 0.01 && Math.abs(normal.variance - 0.25) < 0.01)
  const uniform = moments(generateWeights(initializer('RandomUniform', { minval: 2, maxval: 4 }), 50_000, [50_000], 3))
  assert.ok(Math.abs(uniform.mean - 3) < 0.01 && uniform.min >= 2 && uniform.max < 4)
  assert.ok(Math.abs(uniform.variance - 4 / 12) < 0.01)
  assert.deepEqual([...generateWeights(initializer('zeros'), 3, [3], 1)], [0, 0, 0])
  assert.deepEqual([...generateWeights(initializer('ones'), 2, [2], 1)], [1, 1])
  assert.deepEqual([...generateWeights(initializer('constant', { value: 0.5 }), 2, [2], 1)], [0.5, 0.5])
})

test('same seed, same weights; another seed, other weights; an initializer seed overrides the model seed', () => {
  const build = (seed: number, kernelInitializer?: object) =>
    sequential([conv2d({ filters: 4, kernelSize: 3, inputShape: [8, 8, 2], ...(kernelInitializer ? { kernelInitializer: kernelInitializer as never } : {}) }), dense({ units: 3 })], { seed })
  assert.deepEqual(build(7).getWeight('conv2d/kernel'), build(7).getWeight('conv2d/kernel'))
  assert.notDeepEqual(build(7).getWeight('conv2d/kernel'), build(8).getWeight('conv2d/kernel'))
  assert.notDeepEqual(build(7).getWeight('conv2d/kernel'), build(7).getWeight('dense/kernel').subarray(0, 72))
  const seeded = { class_name: 'HeNormal', config: { seed: 42 } }
  assert.deepEqual(build(1, seeded).getWeight('conv2d/kernel'), build(2, seeded).getWeight('conv2d/kernel'))
  assert.deepEqual([...build(1).getWeight('conv2d/bias')], [0, 0, 0, 0])
})

test('identifiers and serialised forms are accepted, bad ones are rejected with the place and what was expected', () => {
  assert.equal(initializer('glorotUniform').className, 'GlorotUniform')
  assert.equal(initializer('VarianceScaling', { mode: 'fan_avg', distribution: 'uniform' }).config.mode, 'fan_avg')
  assert.throws(() => initializer('orthogonal'), (error: Error) => error instanceof InvalidArgumentError && /'value' must be an initializer name/.test(error.message))
  assert.throws(() => initializer('random_normal', { stddev: -1 }), /initializer value \(RandomNormal\): 'stddev' must be a finite number > 0, got -1/)
  assert.throws(() => initializer('he_normal', { seed: 1.5 }), /'seed' must be a non-negative integer or null, got 1.5/)
  assert.throws(() => initializer('zeros', { value: 1 }), /unknown config key 'value'/)
  assert.throws(() => dense({ units: 2, kernelInitializer: 'nope' }), /^InvalidArgumentError: Dense: 'kernel_initializer' must be an initializer name/)
})
