/**
 * @module autodiff/autodiff-errors
 * Errors of the backward pass, in the maas error vocabulary. Messages name the op, the node
 * (as it is named in the serialised model) and, where it helps, the wrt value whose path
 * leads there, so that a model author can find the culprit without reading the graph.
 */
import { MaasError } from '../core/errors.ts'

/** A node on the path from a wrt value to the loss whose op has no gradient rule. */
export class MissingGradientRuleError extends MaasError {
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    readonly source: string,
  ) {
    super('UNIMPLEMENTED', `no gradient rule for op '${opType}' (node ${nodeName}) on the path from '${source}' to the loss`)
  }
}

/** A node whose op has a rule, but not for this configuration (attributes, unknown ranks). */
export class UnsupportedGradientError extends MaasError {
  constructor(opType: string, nodeName: string, reason: string) {
    super('UNIMPLEMENTED', `cannot differentiate op '${opType}' (node ${nodeName}): ${reason}`)
  }
}

/** A backward request that cannot be served: the loss is not a float scalar, an unknown value, … */
export class InvalidBackwardRequestError extends MaasError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message)
  }
}
