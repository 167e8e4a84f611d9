/**
 * @module autodiff/gradient-check
 * Test support: checks appendBackward against central finite differences. The forward
 * output y is folded into loss = ReduceSum(y ⊙ R) with a fixed random R, so every output
 * element matters; one ORT session computes the loss and all gradients, a second (forward
 * and loss only) is re-run with each input element nudged by ±eps. The error is the
 * norm-based relative error ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) per input.
 *
 * Defaults: FP64 eps 1e-6, tolerance 1e-6 (truncation O(eps²) and rounding O(1e-16/eps)
 * are both far below it); FP32 eps 1e-2, tolerance 1e-2 (float32 rounding of the loss
 * divided by 2·eps, plus O(eps²) truncation, sit around 1e-4..1e-3 on these small graphs).
 */
import { mulberry32 } from '../core/mulberry32.ts'
import assert from 'node:assert/strict'
import ort from 'onnxruntime-node'
import type { Datatype } from '../core/datatypes.ts'
import { GraphBuilder, attr } from '../onnx/onnx-builder.ts'
import { appendBackward, type BackwardOptions } from './backward.ts'
import { floatTensor } from './gradient-context.ts'
import { inferShapes } from './shape-inference.ts'

type FloatArray = Float32Array | Float64Array
type CheckData = FloatArray | BigInt64Array | Int32Array | Uint8Array

/** One graph input of a gradient check. */
export interface CheckInput {
  readonly name: string
  readonly datatype: Datatype
  readonly shape: readonly number[]
  /** The shape declared in the graph (e.g. -1 for a dynamic batch); defaults to `shape`. */
  readonly declaredShape?: readonly (number | string)[]
  /** Values; uniform random in [-1, 1) (float types) when absent. */
  readonly data?: CheckData
  /** Whether to differentiate with respect to this input; default: float inputs. */
  readonly wrt?: boolean
}

export interface GradientCheckCase {
  readonly inputs: readonly CheckInput[]
  /** Adds the forward nodes (the inputs are declared already) and returns the output to check. */
  readonly forward: (graph: GraphBuilder) => string
  readonly eps?: number
  readonly tolerance?: number
  readonly seed?: number
  readonly backward?: BackwardOptions
}

export interface GradientCheckReport {
  /** Relative error per wrt input. */
  readonly errors: Readonly<Record<string, number>>
  readonly worst: number
  readonly tolerance: number
  readonly analytic: Readonly<Record<string, Float64Array>>
  readonly numeric: Readonly<Record<string, Float64Array>>
  /** The model with forward, loss and backward, for further checks (e.g. the ONNX checker). */
  readonly model: Uint8Array
}

const SESSION_OPTIONS: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 1, logSeverityLevel: 3 }


/** Random values in [low, high) of a float datatype. */
export function randomFloats(datatype: Datatype, count: number, random: () => number, low = -1, high = 1): FloatArray {
  const values = Array.from({ length: count }, () => low + (high - low) * random())
  return datatype === 'FP64' ? Float64Array.from(values) : Float32Array.from(values)
}

const ORT_TYPES: Partial<Record<Datatype, ort.Tensor.Type>> = { FP32: 'float32', FP64: 'float64', INT64: 'int64', INT32: 'int32', BOOL: 'bool' }

function toTensor(datatype: Datatype, data: CheckData, shape: readonly number[]): ort.Tensor {
  return new ort.Tensor(ORT_TYPES[datatype]! as 'float32', data as Float32Array, shape as number[])
}

/** Runs the check; the caller asserts on `worst <= tolerance`. */
export async function checkGradients(check: GradientCheckCase): Promise<GradientCheckReport> {
  const random = mulberry32(check.seed ?? 7)
  const isFloat = (input: CheckInput) => input.datatype === 'FP32' || input.datatype === 'FP64'
  const feeds = new Map<string, CheckData>()
  for (const input of check.inputs) {
    const count = input.shape.reduce((product, dim) => product * dim, 1)
    feeds.set(input.name, input.data ?? randomFloats(input.datatype, count, random))
  }
  const wrt = check.inputs.filter((input) => input.wrt ?? isFloat(input))
  const datatype = wrt[0]?.datatype ?? 'FP32'
  const eps = check.eps ?? (datatype === 'FP64' ? 1e-6 : 1e-2)
  const tolerance = check.tolerance ?? (datatype === 'FP64' ? 1e-6 : 1e-2)
  const declare = (graph: GraphBuilder) => {
    for (const input of check.inputs) graph.input(input.name, input.datatype, input.declaredShape ?? input.shape)
    return check.forward(graph)
  }
  const run = async (session: ort.InferenceSession, values: Map<string, CheckData>) => {
    const ortFeeds: Record<string, ort.Tensor> = {}
    for (const input of check.inputs) ortFeeds[input.name] = toTensor(input.datatype, values.get(input.name)!, input.shape)
    return session.run(ortFeeds)
  }

  // A probe run finds the output's shape, which R must have.
  const probe = new GraphBuilder('probe')
  const probeOutput = declare(probe)
  probe.output(probeOutput, inferShapes(probe).get(probeOutput)?.datatype ?? datatype, [])
  const probeSession = await ort.InferenceSession.create(probe.toBytes(), SESSION_OPTIONS)
  const probed = (await run(probeSession, feeds))[probeOutput]!
  const outputShape = probed.dims
  const outputType: Datatype = probed.type === 'float64' ? 'FP64' : 'FP32'
  await probeSession.release()

  const graph = new GraphBuilder('gradient_check')
  const output = declare(graph)
  const weights = randomFloats(outputType, outputShape.reduce((product, dim) => product * dim, 1), random)
  const r = graph.initializer('check/R', floatTensor(outputType, outputShape, [...weights]))
  const loss = graph.node('ReduceSum', [graph.node('Mul', [output, r])[0]!], { outputs: ['check/loss'], attributes: { keepdims: attr.int(0) } })[0]!
  graph.valueInfo(loss, outputType, [])
  graph.output(loss, outputType, [])
  const lossSession = await ort.InferenceSession.create(graph.toBytes(), SESSION_OPTIONS)
  const gradients = appendBackward(graph, loss, wrt.map((input) => input.name), check.backward)
  for (const input of wrt) graph.output(gradients.get(input.name)!, input.datatype, input.declaredShape ?? input.shape)
  const model = graph.toBytes()
  const fullSession = await ort.InferenceSession.create(model, SESSION_OPTIONS)
  const results = await run(fullSession, feeds)
  await fullSession.release()

  const errors: Record<string, number> = {}
  const analytic: Record<string, Float64Array> = {}
  const numeric: Record<string, Float64Array> = {}
  const lossOf = async (values: Map<string, CheckData>) => Number((await run(lossSession, values))[loss]!.data[0])
  for (const input of wrt) {
    const base = feeds.get(input.name) as FloatArray
    const estimate = new Float64Array(base.length)
    for (let index = 0; index < base.length; index++) {
      const nudged = base.slice()
      const values = new Map(feeds).set(input.name, nudged)
      nudged[index] = base[index]! + eps
      const plus = await lossOf(values)
      nudged[index] = base[index]! - eps
      const minus = await lossOf(values)
      // Divide by the step actually taken: float32 rounds x ± eps.
      const taken = (value: number) => (datatype === 'FP32' ? Math.fround(value) : value)
      estimate[index] = (plus - minus) / (taken(base[index]! + eps) - taken(base[index]! - eps))
    }
    const exact = Float64Array.from(results[gradients.get(input.name)!]!.data as FloatArray)
    analytic[input.name] = exact
    numeric[input.name] = estimate
    errors[input.name] = relativeError(exact, estimate)
  }
  await lossSession.release()
  const worst = Math.max(0, ...Object.values(errors))
  return { errors, worst, tolerance, analytic, numeric, model }
}

/** Runs the check and fails with the per-input errors when one exceeds the tolerance. */
export async function assertGradientsMatch(check: GradientCheckCase): Promise<GradientCheckReport> {
  const report = await checkGradients(check)
  assert.ok(report.worst <= report.tolerance, `relative errors ${JSON.stringify(report.errors)} exceed ${report.tolerance}`)
  return report
}

/** ‖a − b‖ / max(‖a‖, ‖b‖), 0 when both vanish. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let difference = 0
  let normA = 0
  let normB = 0
  for (let i = 0; i < a.length; i++) {
    difference += (a[i]! - b[i]!) ** 2
    normA += a[i]! ** 2
    normB += b[i]! ** 2
  }
  const scale = Math.sqrt(Math.max(normA, normB))
  return scale === 0 ? 0 : Math.sqrt(difference) / scale
}
