/**
 * @module control/model-service-lineage
 * A model's lineage as a graph: one node per version (and per parent outside the model, or
 * deleted since), one edge per parent → child with the operation that made the child.
 */
import type { LineageOperation } from '../registry/lineage-store.ts'
import type { RegistryStore } from '../registry/registry-store.ts'
import type { VersionStatus } from '../registry/version-store.ts'

export interface LineageNode {
  /** `model/version`, unique in the graph. */
  readonly id: string
  readonly model: string
  readonly version: number
  /** Null for a parent that no longer exists. */
  readonly status: VersionStatus | null
  /** How the version was made; null when nothing was recorded (or outside the model). */
  readonly operation: LineageOperation | null
  readonly parameters: Readonly<Record<string, unknown>> | null
  readonly dataset: string | null
  /** True for versions of other models (a distillation's teacher, say) or deleted ones. */
  readonly external: boolean
}

export interface LineageEdge {
  readonly from: string
  readonly to: string
  readonly operation: LineageOperation
}

export interface LineageGraph {
  readonly model: string
  readonly nodes: readonly LineageNode[]
  readonly edges: readonly LineageEdge[]
}

const idOf = (model: string, version: number) => `${model}/${version}`

/** Every non-REGISTERING version of `model` with its recorded lineage. */
export async function buildLineageGraph(registry: RegistryStore, model: string): Promise<LineageGraph> {
  await registry.models.get(model)
  const versions = await registry.versions.list(model, { statuses: ['READY', 'FAILED', 'ARCHIVED'] })
  const nodes = new Map<string, LineageNode>()
  const edges: LineageEdge[] = []
  for (const version of versions) {
    const lineage = await registry.lineage.get({ model, version: version.version })
    const id = idOf(model, version.version)
    nodes.set(id, {
      id, model, version: version.version, status: version.status, external: false,
      operation: lineage?.operation ?? null, parameters: lineage?.parameters ?? null, dataset: lineage?.dataset ?? null,
    })
    for (const parent of lineage?.parents ?? []) edges.push({ from: idOf(parent.model, parent.version), to: id, operation: lineage!.operation })
  }
  for (const edge of edges) {
    if (nodes.has(edge.from)) continue
    const [parentModel, parentVersion] = [edge.from.slice(0, edge.from.lastIndexOf('/')), Number(edge.from.slice(edge.from.lastIndexOf('/') + 1))]
    const parent = await registry.versions.get(parentModel, parentVersion).catch(() => undefined)
    nodes.set(edge.from, {
      id: edge.from, model: parentModel, version: parentVersion, status: parent?.status ?? null, external: true,
      operation: null, parameters: null, dataset: null,
    })
  }
  return { model, nodes: [...nodes.values()], edges }
}
