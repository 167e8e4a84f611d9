/**
 * @module nn/layers/dense
 * Keras Dense: y = activation(x · kernel + bias) on the last axis, kernel [in, units] as in
 * Keras (MatMul's own layout, so no conversion anywhere). Works on any rank ≥ 1.
 */
import type { ConfigReader } from '../config-reader.ts'
import { emitActivation, parseActivation, type ActivationName } from '../activations.ts'
import type { EmitContext } from '../emit-context.ts'
import { parseInitializer, serializeInitializer, type Initializer } from '../initializers.ts'
import { Layer, asFloat, readCommon, type LayerCommon, type WeightSpec } from '../layer.ts'
import { formatShape, type TensorInfo } from '../shape.ts'

export interface DenseConfig {
  readonly units: number
  readonly activation: ActivationName
  readonly useBias: boolean
  readonly kernelInitializer: Initializer
  readonly biasInitializer: Initializer
}

export class Dense extends Layer {
  readonly className = 'Dense'

  constructor(
    readonly config: DenseConfig,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): Dense {
    const common = readCommon(reader)
    const config: DenseConfig = {
      units: reader.positiveInt('units'),
      activation: parseActivation(reader),
      useBias: reader.boolean('use_bias', true),
      kernelInitializer: parseInitializer(reader, 'kernel_initializer', 'glorot_uniform'),
      biasInitializer: parseInitializer(reader, 'bias_initializer', 'zeros'),
    }
    for (const key of ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint', 'lora_rank']) {
      reader.unsupported(key)
    }
    reader.finish()
    return new Dense(config, common)
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const shape = input!.shape
    if (shape.length === 0 || shape.at(-1)! < 0) this.fail(`expects an input with a known last dimension, got input shape ${formatShape(shape)}`)
    return { shape: [...shape.slice(0, -1), this.config.units], dtype: 'float32' }
  }

  override weightSpecs([input]: readonly TensorInfo[]): readonly WeightSpec[] {
    const inputs = input!.shape.at(-1)!
    const { units, useBias, kernelInitializer, biasInitializer } = this.config
    const kernel: WeightSpec = { name: 'kernel', shape: [inputs, units], kerasShape: [inputs, units], layout: 'keras', trainable: true, initializer: kernelInitializer }
    const bias: WeightSpec = { name: 'bias', shape: [units], kerasShape: [units], layout: 'keras', trainable: true, initializer: biasInitializer }
    return useBias ? [kernel, bias] : [kernel]
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    let y = ctx.op('MatMul', [asFloat(ctx, x!, info!), ctx.weight('kernel')])
    if (this.config.useBias) y = ctx.op('Add', [y, ctx.weight('bias')])
    return emitActivation(ctx, y, this.config.activation)
  }

  protected classConfig(): Record<string, unknown> {
    const { units, activation, useBias, kernelInitializer, biasInitializer } = this.config
    return {
      units,
      activation,
      use_bias: useBias,
      kernel_initializer: serializeInitializer(kernelInitializer),
      bias_initializer: serializeInitializer(biasInitializer),
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    }
  }
}
