/**
 * @module nn/layers/pooling
 * Keras MaxPooling2D, AveragePooling2D (channels_last; strides default to the pool size;
 * 'same' averages exclude the padding, as TensorFlow does: count_include_pad=0) and
 * GlobalAveragePooling2D (a ReduceMean over height and width, no transposes needed).
 */
import { attr } from '../../onnx/onnx-builder.ts'
import type { ConfigReader } from '../config-reader.ts'
import type { EmitContext } from '../emit-context.ts'
import { Layer, asFloat, readCommon, type LayerCommon } from '../layer.ts'
import { windowOutputLength, type Padding, type TensorInfo } from '../shape.ts'
import { emitChannelsFirst, windowPadding } from './channels-first.ts'

export interface PoolingConfig {
  readonly poolSize: readonly number[]
  readonly strides: readonly number[]
  readonly padding: Padding
}

abstract class Pooling2D extends Layer {
  protected abstract readonly opType: 'MaxPool' | 'AveragePool'

  constructor(
    readonly config: PoolingConfig,
    common: LayerCommon,
  ) {
    super(common)
  }

  protected static readPooling(reader: ConfigReader): { config: PoolingConfig; common: LayerCommon } {
    const common = readCommon(reader)
    const poolSize = reader.intTuple('pool_size', 2, [2, 2])
    const config = {
      poolSize,
      strides: reader.intTuple('strides', 2, poolSize),
      padding: reader.oneOf('padding', ['valid', 'same'], 'valid', (text) => text.toLowerCase()),
    }
    reader.unsupported('data_format', 'channels_last')
    reader.finish()
    return { config, common }
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const [height, width, channels] = this.requireRank(input, 3, 'an NHWC image input of rank 4 (None, height, width, channels)')
    const { poolSize, strides, padding } = this.config
    const outHeight = windowOutputLength(height!, poolSize[0]!, strides[0]!, 1, padding)
    const outWidth = windowOutputLength(width!, poolSize[1]!, strides[1]!, 1, padding)
    if ((height! >= 0 && outHeight <= 0) || (width! >= 0 && outWidth <= 0)) {
      this.fail(`the ${poolSize.join('x')} pool does not fit the ${height}x${width} input with '${padding}' padding`)
    }
    return { shape: [outHeight, outWidth, channels!], dtype: 'float32' }
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    const { poolSize, strides, padding } = this.config
    return emitChannelsFirst(ctx, asFloat(ctx, x!, info!), (nchw) =>
      ctx.op(this.opType, [nchw], {
        kernel_shape: attr.ints(poolSize),
        strides: attr.ints(strides),
        ...windowPadding(padding, info!.shape, poolSize, strides, [1, 1]),
      }),
    )
  }

  protected classConfig(): Record<string, unknown> {
    const { poolSize, strides, padding } = this.config
    return { pool_size: [...poolSize], padding, strides: [...strides], data_format: 'channels_last' }
  }
}

export class MaxPooling2D extends Pooling2D {
  readonly className = 'MaxPooling2D'
  protected readonly opType = 'MaxPool'

  static fromConfig(reader: ConfigReader): MaxPooling2D {
    const { config, common } = Pooling2D.readPooling(reader)
    return new MaxPooling2D(config, common)
  }
}

export class AveragePooling2D extends Pooling2D {
  readonly className = 'AveragePooling2D'
  protected readonly opType = 'AveragePool'

  static fromConfig(reader: ConfigReader): AveragePooling2D {
    const { config, common } = Pooling2D.readPooling(reader)
    return new AveragePooling2D(config, common)
  }
}

export class GlobalAveragePooling2D extends Layer {
  readonly className = 'GlobalAveragePooling2D'

  constructor(
    readonly keepdims: boolean,
    common: LayerCommon,
  ) {
    super(common)
  }

  static fromConfig(reader: ConfigReader): GlobalAveragePooling2D {
    const common = readCommon(reader)
    const keepdims = reader.boolean('keepdims', false)
    reader.unsupported('data_format', 'channels_last')
    reader.finish()
    return new GlobalAveragePooling2D(keepdims, common)
  }

  computeOutput([input]: readonly TensorInfo[]): TensorInfo {
    const [, , channels] = this.requireRank(input, 3, 'an NHWC image input of rank 4 (None, height, width, channels)')
    return { shape: this.keepdims ? [1, 1, channels!] : [channels!], dtype: 'float32' }
  }

  emit(ctx: EmitContext, [x]: readonly string[], [info]: readonly TensorInfo[]): string {
    return ctx.op('ReduceMean', [asFloat(ctx, x!, info!)], { axes: attr.ints([1, 2]), keepdims: attr.int(this.keepdims ? 1 : 0) })
  }

  protected classConfig(): Record<string, unknown> {
    return { data_format: 'channels_last', keepdims: this.keepdims }
  }
}
