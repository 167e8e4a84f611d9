/**
 * @module training/compile/optimizers
 * Optimizer updates as ONNX nodes, so a whole training step (forward, loss, backward, update)
 * is one ORT run and parameters never leave the graph's tensors within a call. Update rules
 * and defaults follow Keras 3: SGD (momentum, Nesterov), Adam, AdamW, RMSprop (momentum,
 * centered); weight decay is decoupled (p -= lr * wd * p) for every optimizer, as in Keras 3.
 */
import { InvalidArgumentError } from '../../core/errors.ts'
import type { GraphBuilder } from '../../onnx/onnx-builder.ts'
import { floatScalar } from './graph-constants.ts'

export type OptimizerConfig =
  | { readonly name: 'sgd'; readonly learningRate?: number; readonly momentum?: number; readonly nesterov?: boolean; readonly weightDecay?: number }
  | { readonly name: 'adam' | 'adamw'; readonly learningRate?: number; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number; readonly weightDecay?: number }
  | { readonly name: 'rmsprop'; readonly learningRate?: number; readonly rho?: number; readonly momentum?: number; readonly epsilon?: number; readonly centered?: boolean; readonly weightDecay?: number }

/** Keras' default learning rates. */
export function defaultLearningRate(config: OptimizerConfig): number {
  return config.learningRate ?? (config.name === 'sgd' ? 0.01 : 0.001)
}

/** The per-parameter state slots an optimizer keeps (all start at zero, shaped like the parameter). */
export function optimizerSlots(config: OptimizerConfig): readonly string[] {
  switch (config.name) {
    case 'sgd':
      return (config.momentum ?? 0) > 0 ? ['momentum'] : []
    case 'adam':
    case 'adamw':
      return ['m_sum', 'v_sum']
    case 'rmsprop':
      return [...['ms'], ...((config.momentum ?? 0) > 0 ? ['mom'] : []), ...(config.centered ? ['mg'] : [])]
  }
}

/**
 * Per slot, the factor that turns the stored value into Keras' value of that slot. Adam keeps
 * discounted sums of the gradients and of their squares, which Keras' m and v are
 * (1 - beta1) and (1 - beta2) times; the other optimizers store Keras' values.
 */
export function kerasSlotScales(config: OptimizerConfig): readonly number[] {
  if (config.name === 'adam' || config.name === 'adamw') return [1 - (config.beta1 ?? 0.9), 1 - (config.beta2 ?? 0.999)]
  return optimizerSlots(config).map(() => 1)
}

/**
 * Slots of checkpoints written before Adam kept discounted sums (`<param>/m`, `<param>/v`,
 * Keras' values) converted to this version's (`m_sum`, `v_sum`); other values pass through.
 */
export function upgradeSlotValues(config: OptimizerConfig, values: ReadonlyMap<string, Float32Array>): Map<string, Float32Array> {
  const upgraded = new Map(values)
  if (config.name !== 'adam' && config.name !== 'adamw') return upgraded
  const scales = kerasSlotScales(config)
  for (const [name, data] of values) {
    const legacy = /^(.*)\/(m|v)$/.exec(name)
    if (!legacy) continue
    const current = `${legacy[1]}/${legacy[2]}_sum`
    if (upgraded.has(current)) continue
    const scale = scales[legacy[2] === 'm' ? 0 : 1]!
    upgraded.set(current, data.map((value) => value / scale))
    upgraded.delete(name)
  }
  return upgraded
}

export interface UpdateInputs {
  readonly param: string
  readonly grad: string
  /** Current values of optimizerSlots(config), in that order. */
  readonly slots: readonly string[]
  /** FP32 scalar learning rate of this step. */
  readonly learningRate: string
  /** FP32 scalar step number, 1 for the first step (Adam's bias correction). */
  readonly step: string
}

/** Emits one parameter's update; returns the new parameter and new slot values. */
export function emitOptimizerUpdate(graph: GraphBuilder, config: OptimizerConfig, inputs: UpdateInputs): { param: string; slots: string[] } {
  const op = (type: string, ...args: string[]) => graph.node(type, args)[0]!
  const c = (value: number) => floatScalar(graph, value)
  const { grad, learningRate: lr, step } = inputs
  // Keras 3 applies weight decay to the variable before the gradient step, for all optimizers.
  const weightDecay = config.weightDecay ?? (config.name === 'adamw' ? 0.004 : 0)
  const param = weightDecay > 0 ? op('Sub', inputs.param, op('Mul', op('Mul', lr, c(weightDecay)), inputs.param)) : inputs.param
  switch (config.name) {
    case 'sgd': {
      const momentum = config.momentum ?? 0
      const scaled = op('Mul', lr, grad)
      if (momentum === 0) return { param: op('Sub', param, scaled), slots: [] }
      // v = momentum * v - lr * g;  p += v  (Nesterov: p += momentum * v - lr * g)
      const velocity = op('Sub', op('Mul', c(momentum), inputs.slots[0]!), scaled)
      const step = config.nesterov ? op('Sub', op('Mul', c(momentum), velocity), scaled) : velocity
      return { param: op('Add', param, step), slots: [velocity] }
    }
    case 'adam':
    case 'adamw': {
      const beta1 = config.beta1 ?? 0.9
      const beta2 = config.beta2 ?? 0.999
      const epsilon = config.epsilon ?? 1e-7
      // The slots hold discounted sums, m / (1 - beta1) and v / (1 - beta2) (see kerasSlotScales),
      // so each update is 10 passes over the parameter instead of 12; on the seed MLP the
      // update of the 784x128 kernel is about a third of a batch-32 step.
      const mSum = op('Add', op('Mul', c(beta1), inputs.slots[0]!), grad)
      const vSum = op('Add', op('Mul', c(beta2), inputs.slots[1]!), op('Mul', grad, grad))
      // Keras: p -= alpha * m / (sqrt(v) + epsilon), alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t).
      // With m = (1 - beta1) mSum and v = (1 - beta2) vSum that is
      // p -= alpha * (1 - beta1) / sqrt(1 - beta2) * mSum / (sqrt(vSum) + epsilon / sqrt(1 - beta2)).
      const correction1 = op('Sub', c(1), op('Pow', c(beta1), step))
      const correction2 = op('Sub', c(1), op('Pow', c(beta2), step))
      const alpha = op('Div', op('Mul', op('Mul', lr, c((1 - beta1) / Math.sqrt(1 - beta2))), op('Sqrt', correction2)), correction1)
      const update = op('Mul', alpha, op('Div', mSum, op('Add', op('Sqrt', vSum), c(epsilon / Math.sqrt(1 - beta2)))))
      return { param: op('Sub', param, update), slots: [mSum, vSum] }
    }
    case 'rmsprop': {
      const rho = config.rho ?? 0.9
      const epsilon = config.epsilon ?? 1e-7
      const momentum = config.momentum ?? 0
      let slot = 0
      const meanSquare = op('Add', op('Mul', c(rho), inputs.slots[slot++]!), op('Mul', c(1 - rho), op('Mul', grad, grad)))
      const slots = [meanSquare]
      const momentumSlot = momentum > 0 ? inputs.slots[slot++]! : undefined
      let denominator = meanSquare
      if (config.centered) {
        const meanGrad = op('Add', op('Mul', c(rho), inputs.slots[slot++]!), op('Mul', c(1 - rho), grad))
        denominator = op('Sub', meanSquare, op('Mul', meanGrad, meanGrad))
        slots.push(meanGrad)
      }
      const increment = op('Div', op('Mul', lr, grad), op('Add', op('Sqrt', denominator), c(epsilon)))
      if (momentumSlot === undefined) return { param: op('Sub', param, increment), slots }
      const velocity = op('Add', op('Mul', c(momentum), momentumSlot), increment)
      // Keep slot order: ms, mom, mg.
      return { param: op('Sub', param, velocity), slots: [meanSquare, velocity, ...slots.slice(1)] }
    }
  }
}

/** Validates an optimizer given by name or config (as a JSON spec would give it). */
export function parseOptimizer(value: unknown): OptimizerConfig {
  const config = typeof value === 'string' ? { name: value } : value
  if (typeof config !== 'object' || config === null) throw new InvalidArgumentError('optimizer must be a name or an object with a name')
  const { name, ...options } = config as Record<string, unknown>
  if (name !== 'sgd' && name !== 'adam' && name !== 'adamw' && name !== 'rmsprop') {
    throw new InvalidArgumentError(`optimizer '${String(name)}' is not known; use sgd, adam, adamw or rmsprop`)
  }
  const allowed: Record<string, readonly string[]> = {
    sgd: ['learningRate', 'momentum', 'nesterov', 'weightDecay'],
    adam: ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
    adamw: ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
    rmsprop: ['learningRate', 'rho', 'momentum', 'epsilon', 'centered', 'weightDecay'],
  }
  for (const [key, setting] of Object.entries(options)) {
    if (!allowed[name]!.includes(key)) throw new InvalidArgumentError(`optimizer ${name}: unknown option '${key}'; known: ${allowed[name]!.join(', ')}`)
    const valid = key === 'nesterov' || key === 'centered' ? typeof setting === 'boolean' : typeof setting === 'number' && Number.isFinite(setting) && setting >= 0
    if (!valid) throw new InvalidArgumentError(`optimizer ${name}: '${key}' has an invalid value ${JSON.stringify(setting)}`)
  }
  for (const key of ['beta1', 'beta2', 'rho', 'momentum'] as const) {
    const setting = options[key]
    if (typeof setting === 'number' && setting >= 1) throw new InvalidArgumentError(`optimizer ${name}: '${key}' must be below 1`)
  }
  return { name, ...options } as OptimizerConfig
}
