/**
 * @module autodiff/backward
 * Reverse-mode automatic differentiation over a GraphBuilder graph: appends the nodes that
 * compute d(loss)/d(value) for the requested values to the same graph, using standard ONNX
 * ops only, so that forward, loss and backward run as one ORT session.
 *
 * Only nodes on a path from some wrt value to the loss are differentiated (through the
 * inputs their rule declares differentiable); everything else is left alone, even ops with
 * no rule. A wrt value that does not reach the loss gets explicit zeros of its shape (an
 * optimizer can apply them like any gradient), unless `unconnected: 'error'` is asked for.
 */
import type { Datatype } from '../core/datatypes.ts'
import type { GraphBuilder } from '../onnx/onnx-builder.ts'
import { InvalidBackwardRequestError, MissingGradientRuleError } from './autodiff-errors.ts'
import { BuilderGradientContext, floatTensor } from './gradient-context.ts'
import { DEFAULT_GRADIENT_RULES } from './gradient-registry.ts'
import { isDifferentiableInput, type ForwardNode, type GradientRule, type GradientRules } from './gradient-rule.ts'
import { inferShapes } from './shape-inference.ts'

export interface BackwardOptions {
  /** Rules that add to, or replace, the default rules (by op type). */
  readonly rules?: GradientRules
  /** Name prefix of every emitted value; gradients are named `<prefix>/<wrt name>`. Default 'grad'. */
  readonly prefix?: string
  /** What a wrt value that does not reach the loss gets: zeros (default) or an error. */
  readonly unconnected?: 'zeros' | 'error'
}

const LOSS_DATATYPES: readonly Datatype[] = ['FP32', 'FP64', 'FP16']

/**
 * Appends gradient nodes of the scalar `loss` with respect to each value in `wrt` (inputs,
 * initializers or intermediate values) and returns wrt name → gradient value name.
 */
export function appendBackward(graph: GraphBuilder, loss: string, wrt: readonly string[], options: BackwardOptions = {}): Map<string, string> {
  const forward: ForwardNode[] = graph.nodes.map((node, index) => ({ ...node, name: `${node.opType}_${index}` }))
  const facts = inferShapes(graph)
  const lossDatatype = checkLoss(loss, facts.get(loss)?.datatype, facts.get(loss)?.shape)
  const known = new Set([...graph.inputs.map((info) => info.name), ...graph.initializers.map((tensor) => tensor.name), ...forward.flatMap((node) => node.outputs)])
  for (const name of wrt) if (!known.has(name)) throw new InvalidBackwardRequestError(`'${name}' is not a value of graph '${graph.name}'`)

  const prefix = options.prefix ?? 'grad'
  const ruleOf = (node: ForwardNode): GradientRule | undefined =>
    !node.domain || node.domain === 'ai.onnx' ? (options.rules?.get(node.opType) ?? DEFAULT_GRADIENT_RULES.get(node.opType)) : undefined
  // A node without a rule passes reachability through every input, so that it is caught below.
  const flows = (node: ForwardNode, index: number): boolean => {
    const rule = ruleOf(node)
    return node.inputs[index] !== '' && (!rule || isDifferentiableInput(rule, index))
  }

  // Values reachable from a wrt value (remembering which one, for error messages).
  const sourceOf = new Map<string, string>()
  for (const name of wrt) if (!sourceOf.has(name)) sourceOf.set(name, name)
  for (const node of forward) {
    const index = node.inputs.findIndex((input, i) => sourceOf.has(input) && flows(node, i))
    if (index === -1) continue
    for (const output of node.outputs) if (!sourceOf.has(output)) sourceOf.set(output, sourceOf.get(node.inputs[index]!)!)
  }
  // Values from which the loss is reachable.
  const reachesLoss = new Set([loss])
  for (const node of [...forward].reverse()) {
    if (!node.outputs.some((output) => reachesLoss.has(output))) continue
    node.inputs.forEach((input, i) => flows(node, i) && reachesLoss.add(input))
  }
  const onPath = (name: string) => sourceOf.has(name) && reachesLoss.has(name)

  const context = new BuilderGradientContext(graph, facts, lossDatatype, prefix)
  const contributions = new Map<string, string[]>()
  const gradientOf = (name: string): string | undefined => {
    const parts = contributions.get(name)
    if (!parts || parts.length === 0) return undefined
    if (parts.length > 1) contributions.set(name, [context.op('Sum', parts)])
    return contributions.get(name)![0]
  }
  if (onPath(loss)) contributions.set(loss, [context.constant(floatTensor(lossDatatype, [], [1]))])

  for (const node of [...forward].reverse()) {
    const needs = (index: number) => flows(node, index) && onPath(node.inputs[index]!)
    if (!node.outputs.some(onPath) || !node.inputs.some((_, index) => needs(index))) continue
    const rule = ruleOf(node)
    if (!rule) throw new MissingGradientRuleError(node.opType, node.name, sourceOf.get(node.inputs.find((_, index) => needs(index))!)!)
    const outputGradients = node.outputs.map((output) => (onPath(output) ? gradientOf(output) : undefined))
    if (outputGradients.every((gradient) => gradient === undefined)) continue
    context.begin(node, needs)
    const inputGradients = rule.backward(node, outputGradients, context)
    node.inputs.forEach((input, index) => {
      const gradient = inputGradients[index]
      if (gradient === undefined || !needs(index)) return
      contributions.set(input, [...(contributions.get(input) ?? []), gradient])
    })
  }

  context.begin({ opType: 'Backward', name: 'out', inputs: [], outputs: [], attributes: {} }, () => false)
  const result = new Map<string, string>()
  for (const name of wrt) {
    if (result.has(name)) continue
    let gradient = gradientOf(name)
    if (gradient === undefined) {
      if (options.unconnected === 'error') throw new InvalidBackwardRequestError(`'${name}' does not reach the loss '${loss}'`)
      gradient = context.zerosLike(name)
    }
    const output = graph.uniqueName(`${prefix}/${name}`)
    graph.node('Identity', [gradient], { outputs: [output] })
    const info = facts.get(name)
    if (info?.shape) graph.valueInfo(output, info.datatype ?? lossDatatype, info.shape)
    result.set(name, output)
  }
  return result
}

function checkLoss(loss: string, datatype: Datatype | undefined, shape: readonly number[] | undefined): Datatype {
  if (datatype === undefined) throw new InvalidBackwardRequestError(`the element type of the loss '${loss}' is unknown; record it with graph.valueInfo()`)
  if (!LOSS_DATATYPES.includes(datatype)) throw new InvalidBackwardRequestError(`the loss '${loss}' is ${datatype}; it must be a float scalar`)
  if (shape && shape.length !== 0) throw new InvalidBackwardRequestError(`the loss '${loss}' has shape [${shape.join(', ')}]; it must be a scalar (shape [])`)
  return datatype
}
