/**
 * @module nn/layers/normalization
 * Keras BatchNormalization and LayerNormalization as the ONNX ops of the same names.
 *
 * BatchNormalization normalises Keras' `axis` (default -1, the channels of NHWC) while ONNX
 * normalises axis 1, so other axes are transposed to 1 and back. In 'train' mode (and when
 * the layer is trainable: a frozen Keras BN runs in inference mode) it emits
 * training_mode=1 with outputs Y, running_mean, running_var and reports the last two as the
 * new moving statistics. ONNX's update `running = input·momentum + batch·(1-momentum)` is
 * Keras' `moving = moving·momentum + batch·(1-momentum)` with the same momentum (0.99), and
 * both use the biased batch variance, so Keras' momentum is passed through unchanged.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import type { ConfigReader } from '../config-reader.ts'
import type { EmitContext } from '../emit-context.ts'
import { parseInitializer, serializeInitializer, type Initializer } from '../initializers.ts'
import { Layer, asFloat, readCommon, type LayerCommon, type WeightSpec } from '../layer.ts'
import { formatShape, normalizeAxis, type TensorInfo } from '../shape.ts'

export interface NormalizationInit {
  readonly epsilon: number
  readonly center: boolean
  readonly scale: boolean
  readonly betaInitializer: Initializer
  readonly gammaInitializer: Initializer
}

function readNormalization(reader: ConfigReader): NormalizationInit {
  const init = {
    epsilon: reader.number('epsilon', 1e-3, { min: 0, minExclusive: true }),
    center: reader.boolean('center', true),
    scale: reader.boolean('scale', true),
    betaInitializer: parseInitializer(reader, 'beta_initializer', 'zeros'),
    gammaInitializer: parseInitializer(reader, 'gamma_initializer', 'ones'),
  }
  for (const key of ['beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint']) reader.unsupported(key)
  return init
}

function normalizationConfig(init: NormalizationInit): Record<string, unknown> {
  const { epsilon, center, scale, betaInitializer, gammaInitializer } = init
  return {
    epsilon, center, scale,
    beta_initializer: serializeInitializer(betaInitializer), gamma_initializer: serializeInitializer(gammaInitializer),
    beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
  }
}

/** Keras' `axis`: an int or a list of ints (Keras 2 writes BN's axis as `[3]`). */
function readAxes(reader: ConfigReader, fallback: number): number[] {
  const value = reader.raw('axis') ?? fallback
  const list = typeof value === 'number' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every((axis) => Number.isInteger(axis))) reader.fail('axis', 'an integer or a non-empty list of integers', value)
  return list as number[]
}

function weight(name: string, shape: readonly number[], trainable: boolean, initializer: Initializer): WeightSpec {
  return { name, shape, kerasShape: shape, layout: 'keras', trainable, initializer }
}

/** gamma and beta of a normalisation layer, or constants standing in for disabled ones. */
function scaleAndBias(ctx: EmitContext, init: NormalizationInit, shape: readonly number[]): [string, string] {
  const size = shape.reduce((product, dim) => product * dim, 1)
  const gamma = init.scale ? ctx.weight('gamma') : ctx.constant(Array<number>(size).fill(1), shape)
  const beta = init.center ? ctx.weight('beta') : ctx.constant(Array<number>(size).fill(0), shape)
  return [gamma, beta]
}

export interface BatchNormalizationConfig extends NormalizationInit {
  readonly axis: number
  readonly momentum: number
  readonly movingMeanInitializer: Initializer
  readonly movingVarianceInitializer: Initializer
}

export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization'

  constructor(
    readonly config: BatchNormalizationConfig,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): BatchNormalization {
    const common = readCommon(reader)
    const axes = readAxes(reader, -1)
    if (axes.length !== 1) reader.fail('axis', 'a single axis', axes)
    const config: BatchNormalizationConfig = {
      axis: axes[0]!,
      momentum: reader.number('momentum', 0.99, { min: 0, max: 1 }),
      ...readNormalization(reader),
      movingMeanInitializer: parseInitializer(reader, 'moving_mean_initializer', 'zeros'),
      movingVarianceInitializer: parseInitializer(reader, 'moving_variance_initializer', 'ones'),
    }
    for (const [key, value] of [['renorm', false], ['synchronized', false], ['fused', true], ['renorm_clipping', null], ['renorm_momentum', 0.99], ['virtual_batch_size', null], ['adjustment', null]] as const) {
      reader.unsupported(key, value)
    }
    reader.finish()
    return new BatchNormalization(config, common)
  }

  /** The normalised axis counted with the batch; throws if it is the batch or out of range. */
  #axis(info: TensorInfo): number {
    const rank = info.shape.length + 1
    const axis = normalizeAxis(this.config.axis, rank)
    if (axis < 1 || axis >= rank) this.fail(`axis ${this.config.axis} is out of range for input shape ${formatShape(info.shape)}`)
    return axis
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const axis = this.#axis(input!)
    if (input!.shape[axis - 1]! < 0) this.fail(`the normalised axis ${this.config.axis} must have a known size`)
    return { shape: input!.shape, dtype: 'float32' }
  }

  override weightSpecs([input]: readonly TensorInfo[]): readonly WeightSpec[] {
    const shape = [input!.shape[this.#axis(input!) - 1]!]
    const { scale, center, gammaInitializer, betaInitializer, movingMeanInitializer, movingVarianceInitializer } = this.config
    return [
      ...(scale ? [weight('gamma', shape, true, gammaInitializer)] : []),
      ...(center ? [weight('beta', shape, true, betaInitializer)] : []),
      weight('moving_mean', shape, false, movingMeanInitializer),
      weight('moving_variance', shape, false, movingVarianceInitializer),
    ]
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    const rank = info!.shape.length + 1
    const axis = this.#axis(info!)
    const perm = [0, axis, ...Array.from({ length: rank }, (_, index) => index).filter((index) => index !== 0 && index !== axis)]
    const inverse = perm.map((_, index) => perm.indexOf(index))
    let input = asFloat(ctx, x!, info!)
    if (axis !== 1) input = ctx.op('Transpose', [input], { perm: attr.ints(perm) })
    const [gamma, beta] = scaleAndBias(ctx, this.config, [info!.shape[axis - 1]!])
    const inputs = [input, gamma, beta, ctx.weight('moving_mean'), ctx.weight('moving_variance')]
    let y: string
    if (ctx.mode === 'train' && this.trainable) {
      const outputs = ctx.node('BatchNormalization', inputs, { epsilon: attr.float(this.config.epsilon), momentum: attr.float(this.config.momentum), training_mode: attr.int(1) }, 3)
      y = outputs[0]!
      ctx.updateState('moving_mean', outputs[1]!)
      ctx.updateState('moving_variance', outputs[2]!)
    } else {
      y = ctx.op('BatchNormalization', inputs, { epsilon: attr.float(this.config.epsilon) })
    }
    return axis === 1 ? y : ctx.op('Transpose', [y], { perm: attr.ints(inverse) })
  }

  protected classConfig(): Record<string, unknown> {
    const { axis, momentum, movingMeanInitializer, movingVarianceInitializer } = this.config
    return {
      axis, momentum, ...normalizationConfig(this.config),
      moving_mean_initializer: serializeInitializer(movingMeanInitializer),
      moving_variance_initializer: serializeInitializer(movingVarianceInitializer),
    }
  }
}

export interface LayerNormalizationConfig extends NormalizationInit {
  readonly axis: readonly number[]
}

export class LayerNormalization extends Layer {
  readonly className = 'LayerNormalization'

  constructor(
    readonly config: LayerNormalizationConfig,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): LayerNormalization {
    const common = readCommon(reader)
    const config = { axis: readAxes(reader, -1), ...readNormalization(reader) }
    reader.unsupported('rms_scaling', false)
    reader.finish()
    return new LayerNormalization(config, common)
  }

  /** The first normalised axis (batch counted); the axes must be the trailing ones, as ONNX normalises [axis, rank). */
  #firstAxis(info: TensorInfo): number {
    const rank = info.shape.length + 1
    const axes = [...new Set(this.config.axis.map((axis) => normalizeAxis(axis, rank)))].sort((a, b) => a - b)
    const first = rank - axes.length
    if (axes.some((axis, index) => axis !== first + index) || first < 1) {
      this.fail(`axis ${JSON.stringify(this.config.axis)} must name the trailing axes of input shape ${formatShape(info.shape)}`)
    }
    return first
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const first = this.#firstAxis(input!)
    if (input!.shape.slice(first - 1).some((dim) => dim < 0)) this.fail('the normalised axes must have known sizes')
    return { shape: input!.shape, dtype: 'float32' }
  }

  override weightSpecs([input]: readonly TensorInfo[]): readonly WeightSpec[] {
    const shape = input!.shape.slice(this.#firstAxis(input!) - 1)
    const { scale, center, gammaInitializer, betaInitializer } = this.config
    return [...(scale ? [weight('gamma', shape, true, gammaInitializer)] : []), ...(center ? [weight('beta', shape, true, betaInitializer)] : [])]
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    const first = this.#firstAxis(info!)
    const [gamma, beta] = scaleAndBias(ctx, this.config, info!.shape.slice(first - 1))
    return ctx.op('LayerNormalization', [asFloat(ctx, x!, info!), gamma, beta], { axis: attr.int(first), epsilon: attr.float(this.config.epsilon) })
  }

  protected classConfig(): Record<string, unknown> {
    const axis = this.config.axis.length === 1 ? this.config.axis[0] : [...this.config.axis]
    return { axis, ...normalizationConfig(this.config) }
  }
}
