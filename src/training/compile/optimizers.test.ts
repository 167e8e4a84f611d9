import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GraphBuilder } from '../../onnx/onnx-builder.ts'
import { assertClose, runGraph } from './compile-test-support.ts'
import { emitOptimizerUpdate, kerasSlotScales, optimizerSlots, parseOptimizer, upgradeSlotValues, type OptimizerConfig } from './optimizers.ts'

/** Keras 3 update rules, written out in plain TypeScript as the reference. */
function referenceStep(config: OptimizerConfig, p: number[], g: number[], slots: number[][], lr: number, t: number): { p: number[]; slots: number[][] } {
  const wd = config.weightDecay ?? (config.name === 'adamw' ? 0.004 : 0)
  p = p.map((value) => value - lr * wd * value)
  if (config.name === 'sgd') {
    const momentum = config.momentum ?? 0
    if (momentum === 0) return { p: p.map((value, i) => value - lr * g[i]!), slots: [] }
    const v = slots[0]!.map((value, i) => momentum * value - lr * g[i]!)
    const step = config.nesterov ? v.map((value, i) => momentum * value - lr * g[i]!) : v
    return { p: p.map((value, i) => value + step[i]!), slots: [v] }
  }
  if (config.name === 'adam' || config.name === 'adamw') {
    const [b1, b2, eps] = [config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-7]
    const m = slots[0]!.map((value, i) => b1 * value + (1 - b1) * g[i]!)
    const v = slots[1]!.map((value, i) => b2 * value + (1 - b2) * g[i]! ** 2)
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t)
    return { p: p.map((value, i) => value - (alpha * m[i]!) / (Math.sqrt(v[i]!) + eps)), slots: [m, v] }
  }
  if (config.name !== 'rmsprop') throw new Error('unreachable')
  const [rho, eps, momentum] = [config.rho ?? 0.9, config.epsilon ?? 1e-7, config.momentum ?? 0]
  let index = 0
  const ms = slots[index++]!.map((value, i) => rho * value + (1 - rho) * g[i]! ** 2)
  const mom = momentum > 0 ? slots[index++]! : undefined
  const mg = config.centered ? slots[index++]!.map((value, i) => rho * value + (1 - rho) * g[i]!) : undefined
  const denominator = mg ? ms.map((value, i) => value - mg[i]! ** 2) : ms
  const increment = g.map((value, i) => (lr * value) / (Math.sqrt(denominator[i]!) + eps))
  if (!mom) return { p: p.map((value, i) => value - increment[i]!), slots: [ms, ...(mg ? [mg] : [])] }
  const velocity = mom.map((value, i) => momentum * value + increment[i]!)
  return { p: p.map((value, i) => value - velocity[i]!), slots: [ms, velocity, ...(mg ? [mg] : [])] }
}

const CONFIGS: OptimizerConfig[] = [
  { name: 'sgd', learningRate: 0.1 },
  { name: 'sgd', momentum: 0.9 },
  { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  { name: 'adam' },
  { name: 'adamw', weightDecay: 0.01 },
  { name: 'rmsprop' },
  { name: 'rmsprop', momentum: 0.5, centered: true },
]

for (const config of CONFIGS) {
  test(`${JSON.stringify(config)} matches the Keras update over three steps`, async () => {
    const slotNames = optimizerSlots(config)
    const graph = new GraphBuilder('update')
    for (const name of ['p', 'g', ...slotNames]) graph.input(name, 'FP32', [3])
    graph.input('lr', 'FP32', [])
    graph.input('t', 'FP32', [])
    const updated = emitOptimizerUpdate(graph, config, { param: 'p', grad: 'g', slots: slotNames, learningRate: 'lr', step: 't' })
    graph.node('Identity', [updated.param], { outputs: ['p_out'] })
    graph.output('p_out', 'FP32', [3])
    updated.slots.forEach((slot, index) => {
      graph.node('Identity', [slot], { outputs: [`slot_${index}`] })
      graph.output(`slot_${index}`, 'FP32', [3])
    })
    const scales = kerasSlotScales(config)
    let p = [1, -2, 3]
    let slots = slotNames.map(() => [0, 0, 0])
    let reference = { p, slots }
    const lr = config.learningRate ?? (config.name === 'sgd' ? 0.01 : 0.001)
    for (let t = 1; t <= 3; t++) {
      const g = [0.1 * t, 0.2, -0.3 / t]
      reference = referenceStep(config, reference.p, g, reference.slots, lr, t)
      const feeds: Record<string, { data: Float32Array; shape: number[] }> = { p: { data: Float32Array.from(p), shape: [3] }, g: { data: Float32Array.from(g), shape: [3] }, lr: { data: Float32Array.of(lr), shape: [] }, t: { data: Float32Array.of(t), shape: [] } }
      slotNames.forEach((name, index) => (feeds[name] = { data: Float32Array.from(slots[index]!), shape: [3] }))
      const out = await runGraph(graph, feeds)
      p = out.p_out!
      slots = slotNames.map((_, index) => out[`slot_${index}`]!)
      assertClose(p, reference.p, 1e-5, `step ${t} parameter`)
      slots.forEach((slot, index) => assertClose(Array.from(slot, (value) => value * scales[index]!), reference.slots[index]!, 1e-5, `step ${t} slot ${slotNames[index]}`))
    }
  })
}

test('parseOptimizer accepts names and configs and rejects bad ones with a precise message', () => {
  assert.deepEqual(parseOptimizer('adam'), { name: 'adam' })
  assert.deepEqual(parseOptimizer({ name: 'sgd', momentum: 0.9, nesterov: true }), { name: 'sgd', momentum: 0.9, nesterov: true })
  assert.throws(() => parseOptimizer('adagrad'), /optimizer 'adagrad' is not known/)
  assert.throws(() => parseOptimizer({ name: 'adam', beta3: 1 }), /unknown option 'beta3'/)
  assert.throws(() => parseOptimizer({ name: 'adam', beta1: 1.5 }), /'beta1' must be below 1/)
  assert.throws(() => parseOptimizer({ name: 'sgd', learningRate: -1 }), /'learningRate' has an invalid value -1/)
})

test('checkpoints from before the discounted-sum slots resume as the same Adam state', () => {
  const old = new Map([['w', Float32Array.of(1)], ['w/m', Float32Array.of(0.1, -0.2)], ['w/v', Float32Array.of(0.002, 0.004)]])
  const upgraded = upgradeSlotValues({ name: 'adam' }, old)
  assert.deepEqual([...upgraded.keys()].sort(), ['w', 'w/m_sum', 'w/v_sum'])
  assertClose([...upgraded.get('w/m_sum')!], [1, -2], 1e-6, 'm / (1 - beta1)')
  assertClose([...upgraded.get('w/v_sum')!], [2, 4], 1e-5, 'v / (1 - beta2)')
  const current = new Map([['w/m_sum', Float32Array.of(3)]])
  assert.equal(upgradeSlotValues({ name: 'adam' }, current).get('w/m_sum')![0], 3, 'current slots pass through')
  assert.deepEqual([...upgradeSlotValues({ name: 'sgd', momentum: 0.9 }, old).keys()], ['w', 'w/m', 'w/v'], 'other optimizers keep their slots')
})
