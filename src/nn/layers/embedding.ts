/**
 * @module nn/layers/embedding
 * Keras Embedding: a Gather of rows of `embeddings` [input_dim, output_dim]. Float inputs
 * (Keras' default Input dtype) are cast to INT64 indices first, as Keras casts to int.
 */
import { attr } from '../../onnx/onnx-builder.ts'
import { ConfigReader } from '../config-reader.ts'
import type { EmitContext } from '../emit-context.ts'
import { parseInitializer, serializeInitializer, type Initializer } from '../initializers.ts'
import { Layer, readCommon, type LayerCommon, type WeightSpec } from '../layer.ts'
import type { TensorInfo } from '../shape.ts'

export interface EmbeddingConfig {
  readonly inputDim: number
  readonly outputDim: number
  readonly embeddingsInitializer: Initializer
  /** Keras 2's optional fixed sequence length. */
  readonly inputLength: number | undefined
}

export class Embedding extends Layer {
  readonly className = 'Embedding'

  constructor(
    readonly config: EmbeddingConfig,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): Embedding {
    // input_dim is the vocabulary size here, not Keras' input-shape shorthand.
    const inputDim = reader.positiveInt('input_dim')
    const inputLength = reader.has('input_length') ? reader.positiveInt('input_length') : undefined
    reader.accept('input_length')
    const common = readCommon(new ConfigReader(reader.path, { ...reader.config, input_dim: undefined }))
    const config: EmbeddingConfig = {
      inputDim,
      outputDim: reader.positiveInt('output_dim'),
      embeddingsInitializer: parseInitializer(reader, 'embeddings_initializer', 'uniform'),
      inputLength,
    }
    reader.unsupported('mask_zero', false)
    reader.unsupported('sparse', false)
    for (const key of ['embeddings_regularizer', 'activity_regularizer', 'embeddings_constraint', 'lora_rank']) reader.unsupported(key)
    reader.accept('name', 'trainable', 'batch_input_shape', 'batch_shape', 'input_shape', 'batch_size', 'dtype')
    reader.finish()
    const inputShape = common.inputShape ?? (inputLength ? [inputLength] : undefined)
    return new Embedding(config, { ...common, ...(inputShape ? { inputShape } : {}) })
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    return { shape: [...input!.shape, this.config.outputDim], dtype: 'float32' }
  }

  override weightSpecs(): readonly WeightSpec[] {
    const shape = [this.config.inputDim, this.config.outputDim]
    return [{ name: 'embeddings', shape, kerasShape: shape, layout: 'keras', trainable: true, initializer: this.config.embeddingsInitializer }]
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    const indices = info!.dtype === 'float32' ? ctx.op('Cast', [x!], { to: attr.int(7) }) : x!
    return ctx.op('Gather', [ctx.weight('embeddings'), indices], { axis: attr.int(0) })
  }

  protected classConfig(): Record<string, unknown> {
    const { inputDim, outputDim, embeddingsInitializer, inputLength } = this.config
    return {
      input_dim: inputDim,
      output_dim: outputDim,
      embeddings_initializer: serializeInitializer(embeddingsInitializer),
      embeddings_regularizer: null,
      activity_regularizer: null,
      embeddings_constraint: null,
      mask_zero: false,
      ...(inputLength ? { input_length: inputLength } : {}),
    }
  }
}
