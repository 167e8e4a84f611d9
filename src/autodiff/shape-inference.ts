/**
 * @module autodiff/shape-inference
 * A small static type/shape inference over a forward graph, for the ops that have gradient
 * rules. Dims are numbers, -1 where dynamic; a missing shape means "rank unknown". Small
 * integer constants (initializers, Constant nodes, Shape of static values) are folded so that
 * Reshape/Unsqueeze/Split targets resolve. It informs rules; it never rejects a graph.
 */
import type { GraphBuilder, GraphNode } from '../onnx/onnx-builder.ts'
import { inferNodeFacts } from './shape-inference-ops.ts'
import { staticShape, type FactsLookup, type ValueFacts } from './value-facts.ts'

export type { FactsLookup, ValueFacts } from './value-facts.ts'

const MAX_FOLDED_ELEMENTS = 64

/** Infers facts for every value of `graph` (inputs, initializers, node outputs). */
export function inferShapes(graph: GraphBuilder, nodes: readonly GraphNode[] = graph.nodes): Map<string, ValueFacts> {
  const facts = new Map<string, ValueFacts>()
  for (const input of graph.inputs) facts.set(input.name, { datatype: input.datatype, shape: staticShape(input.shape) })
  for (const tensor of graph.initializers) {
    const small = !Array.isArray(tensor.data) && tensor.data.length <= MAX_FOLDED_ELEMENTS
    const value = small ? Array.from(tensor.data as ArrayLike<number | bigint>, Number) : undefined
    facts.set(tensor.name, { datatype: tensor.datatype, shape: [...tensor.shape], ...(value ? { value } : {}) })
  }
  const lookup: FactsLookup = (name) => facts.get(name)
  for (const node of nodes) {
    let inferred: readonly (ValueFacts | undefined)[] = []
    try {
      inferred = inferNodeFacts(node, lookup)
    } catch {
      // Inconsistent or unusual attributes: leave the outputs unknown; rules fall back to dynamic ops.
    }
    node.outputs.forEach((output, index) => {
      if (output === '') return
      const declared = graph.typeOf(output)
      facts.set(output, mergeFacts(inferred[index], declared && { datatype: declared.datatype, shape: staticShape(declared.shape) }))
    })
  }
  return facts
}

function mergeFacts(inferred: ValueFacts | undefined, declared: ValueFacts | undefined): ValueFacts {
  if (!declared) return inferred ?? {}
  if (!inferred) return declared
  const datatype = inferred.datatype ?? declared.datatype
  let shape = inferred.shape ?? declared.shape
  if (inferred.shape && declared.shape && inferred.shape.length === declared.shape.length) {
    shape = inferred.shape.map((dim, axis) => (dim >= 0 ? dim : declared.shape![axis]!))
  }
  return { ...(datatype ? { datatype } : {}), ...(shape ? { shape } : {}), ...(inferred.value ? { value: inferred.value } : {}) }
}
