/**
 * @module server/http/openapi/openapi-document
 * The OpenAPI 3.1 description of the management API (`/v1/registry/…`), served at
 * `/v1/openapi.json`. Written as data with a few builders so the paths stay readable; a test
 * checks that every registered `/v1/registry` route appears here with its method. The
 * inference protocols (KServe v2, TF Serving) are described by their own specifications.
 */

type Schema = Record<string, unknown>
type Operation = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: Schema) => ({ 'application/json': { schema } })
const ok = (description: string, schema: Schema, status = '200') => ({ [status]: { description, content: json(schema) } })
const noContent = { '204': { description: 'Done; empty body.' } }
const error = (status: string, description: string) => ({ [status]: { description, content: json(ref('Error')) } })
const param = (name: string, description: string, schema: Schema = { type: 'string' }) => ({ name, in: 'path', required: true, description, schema })
const query = (name: string, description: string, schema: Schema = { type: 'string' }) => ({ name, in: 'query', required: false, description, schema })

const MODEL = param('model', 'Model name: 1-128 of [A-Za-z0-9._-], starting with a letter or digit.')
const VERSION = param('version', 'Version number.', { type: 'integer', minimum: 1 })
const ALIAS = param('alias', 'Alias name: a lower-case letter, then up to 62 of [a-z0-9_-].')

const E400 = error('400', 'Invalid request; the message names the field.')
const E404 = error('404', 'Unknown model, version, alias or card.')
const E409 = error('409', 'Conflict: the name is taken, an alias points at the version, or the version is not READY.')

function op(summary: string, responses: Record<string, unknown>, extra: Operation = {}): Operation {
  return { summary, ...extra, responses }
}

const jsonBody = (schema: Schema, required = true) => ({ required, content: json(schema) })

const modelFields: Schema = {
  description: { type: 'string' },
  task: { type: ['string', 'null'], description: "What the model does, e.g. 'image-classification'." },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  visibility: { enum: ['private', 'internal', 'public'] },
  servingConfig: { type: ['object', 'null'], description: "Triton's config.json as an object (max_batch_size, dynamic_batching, version_policy, …); validated as the server reads it." },
}

const schemas: Record<string, Schema> = {
  Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
  Model: {
    type: 'object',
    properties: { name: { type: 'string' }, ...modelFields, owner: { type: ['string', 'null'] }, createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } },
  },
  ModelDetails: {
    allOf: [ref('Model'), {
      type: 'object',
      properties: {
        versions: { type: 'array', items: { type: 'object', properties: { version: { type: 'integer' }, status: ref('VersionStatus') } } },
        aliases: { type: 'array', items: ref('Alias') },
      },
    }],
  },
  NewModel: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, ...modelFields } },
  ModelPatch: { type: 'object', additionalProperties: false, properties: modelFields },
  VersionStatus: { enum: ['REGISTERING', 'READY', 'FAILED', 'ARCHIVED'] },
  Version: {
    type: 'object',
    properties: {
      model: { type: 'string' },
      version: { type: 'integer' },
      status: ref('VersionStatus'),
      statusReason: { type: ['string', 'null'], description: 'Why the version is FAILED or ARCHIVED.' },
      artifact: { type: ['object', 'null'], properties: { sha256: { type: 'string' }, uri: { type: 'string' }, sizeBytes: { type: 'integer' }, format: { type: 'string' } } },
      signature: { type: ['object', 'null'], description: 'Inputs and outputs (name, datatype, shape), metadata_props, producer, opset.' },
      metrics: ref('Metrics'),
      createdBy: { type: ['string', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      aliases: { type: 'array', items: { type: 'string' }, description: 'GET of one version only: aliases pointing at it.' },
    },
  },
  Metrics: { type: 'object', additionalProperties: { type: 'number' } },
  VersionPatch: { type: 'object', additionalProperties: false, properties: { metrics: ref('Metrics'), status: { enum: ['READY', 'ARCHIVED'] } } },
  UploadMetadata: {
    type: 'object',
    additionalProperties: false,
    properties: {
      metrics: ref('Metrics'),
      description: { type: 'string' },
      operation: { enum: ['trained', 'uploaded', 'quantized', 'pruned', 'distilled'], default: 'uploaded' },
      parents: { type: 'array', items: { type: 'object', required: ['version'], properties: { model: { type: 'string' }, version: { type: 'integer' } } } },
      parameters: { type: 'object' },
      dataset: { type: ['string', 'null'] },
      alias: { type: 'string', description: 'Point this alias at the new version once it serves.' },
    },
  },
  AliasTarget: {
    type: 'object',
    required: ['version'],
    additionalProperties: false,
    properties: {
      version: { type: 'integer', minimum: 1 },
      canary: { type: ['object', 'null'], required: ['version', 'weight'], properties: { version: { type: 'integer' }, weight: { type: 'integer', minimum: 0, maximum: 100 } } },
    },
  },
  Alias: {
    type: 'object',
    properties: {
      model: { type: 'string' }, name: { type: 'string' }, version: { type: 'integer' },
      canary: { type: ['object', 'null'], properties: { version: { type: 'integer' }, weight: { type: 'integer' } } },
      updatedBy: { type: ['string', 'null'] }, updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  LineageGraph: {
    type: 'object',
    properties: {
      model: { type: 'string' },
      nodes: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string', description: 'model/version' }, model: { type: 'string' }, version: { type: 'integer' },
            status: { oneOf: [ref('VersionStatus'), { type: 'null' }] }, operation: { type: ['string', 'null'] },
            parameters: { type: ['object', 'null'] }, dataset: { type: ['string', 'null'] }, external: { type: 'boolean' },
          },
        },
      },
      edges: { type: 'array', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, operation: { type: 'string' } } } },
    },
  },
  Card: { type: 'object', properties: { model: { type: 'string' }, markdown: { type: 'string' }, updatedBy: { type: ['string', 'null'] }, updatedAt: { type: 'string', format: 'date-time' } } },
}

const uploadBody = {
  required: true,
  content: {
    'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
    'multipart/form-data': {
      schema: { type: 'object', required: ['file'], properties: { metadata: ref('UploadMetadata'), file: { type: 'string', format: 'binary' } } },
      encoding: { metadata: { contentType: 'application/json' } },
    },
  },
}

const paths: Record<string, Record<string, unknown>> = {
  '/v1/registry/models': {
    get: op('List models, by name', ok('Models', { type: 'object', properties: { models: { type: 'array', items: ref('Model') } } }), {
      parameters: [query('owner', 'Only this owner.'), query('visibility', 'private, internal or public.'), query('task', 'Only this task.'),
        query('label', 'KEY=VALUE; repeat for several (all must match).'), query('after', 'Names after this one (paging cursor).'), query('limit', 'Page size.', { type: 'integer' })],
    }),
    post: op('Create a model', { ...ok('Created', ref('Model'), '201'), ...E400, ...E409 }, { requestBody: jsonBody(ref('NewModel')) }),
  },
  '/v1/registry/models/{model}': {
    parameters: [MODEL],
    get: op('A model with its versions and aliases', { ...ok('The model', ref('ModelDetails')), ...E404 }),
    patch: op('Change descriptive fields or servingConfig (a changed servingConfig reloads the model; a failed reload restores the old one)', { ...ok('Updated', ref('Model')), ...E400, ...E404 }, { requestBody: jsonBody(ref('ModelPatch')) }),
    delete: op('Delete a model, its versions, lineage and card (refused while it has aliases)', { ...noContent, ...E404, ...E409 }),
  },
  '/v1/registry/models/{model}/versions': {
    parameters: [MODEL],
    get: op('List versions (default READY, FAILED, ARCHIVED)', { ...ok('Versions', { type: 'object', properties: { versions: { type: 'array', items: ref('Version') } } }), ...E404 }, {
      parameters: [query('status', 'Comma-separated statuses, e.g. READY,ARCHIVED.')],
    }),
    post: op('Upload a version: stored, parsed, loaded and warmed up before it becomes READY; then the model reloads', {
      ...ok('The READY version', ref('Version'), '201'), ...E400, ...E404, ...E409,
      ...error('413', 'Larger than the upload limit.'), ...error('415', 'Not application/octet-stream or multipart/form-data.'),
    }, {
      parameters: [query('metadata', 'octet-stream only: UploadMetadata as JSON.'), query('alias', 'octet-stream only: point this alias at the new version.')],
      requestBody: uploadBody,
    }),
  },
  '/v1/registry/models/{model}/versions/{version}': {
    parameters: [MODEL, VERSION],
    get: op('One version, with the aliases pointing at it', { ...ok('The version', ref('Version')), ...E400, ...E404 }),
    patch: op('Update metrics, or archive / restore (reloads the model)', { ...ok('Updated', ref('Version')), ...E400, ...E404, ...E409 }, { requestBody: jsonBody(ref('VersionPatch')) }),
    delete: op('Delete a version (refused while an alias points at it)', { ...noContent, ...E404, ...E409 }),
  },
  '/v1/registry/models/{model}/aliases': {
    parameters: [MODEL],
    get: op('List aliases', { ...ok('Aliases', { type: 'object', properties: { aliases: { type: 'array', items: ref('Alias') } } }), ...E404 }),
  },
  '/v1/registry/models/{model}/aliases/{alias}': {
    parameters: [MODEL, ALIAS],
    get: op('One alias', { ...ok('The alias', ref('Alias')), ...E404 }),
    put: op('Create or move an alias: the target loads and warms up, requests switch, the old target drains', { ...ok('The alias', ref('Alias')), ...E400, ...E404, ...E409 }, { requestBody: jsonBody(ref('AliasTarget')) }),
    delete: op('Delete an alias', { ...noContent, ...E404 }),
  },
  '/v1/registry/models/{model}/lineage': {
    parameters: [MODEL],
    get: op('Lineage graph: nodes are versions, edges parent → child with the operation', { ...ok('The graph', ref('LineageGraph')), ...E404 }),
  },
  '/v1/registry/models/{model}/card': {
    parameters: [MODEL],
    get: op('The model card (JSON, or the markdown itself with Accept: text/markdown)', {
      '200': { description: 'The card', content: { ...json(ref('Card')), 'text/markdown': { schema: { type: 'string' } } } }, ...E404,
    }),
    put: op('Create or replace the card', { ...ok('The card', ref('Card')), ...E404 }, {
      requestBody: { required: true, content: { 'text/markdown': { schema: { type: 'string' } }, ...json({ type: 'object', required: ['markdown'], properties: { markdown: { type: 'string' } } }) } },
    }),
  },
}

/** The document, frozen; serialise it with JSON.stringify. */
export const OPENAPI_DOCUMENT = Object.freeze({
  openapi: '3.1.0',
  info: {
    title: 'maas management API',
    version: '0.1.0',
    description: 'Models, versions, aliases, lineage and model cards of a maas server. Inference is served by the KServe v2 and TF Serving protocols; see docs/http-api.md.',
  },
  paths,
  components: { schemas },
})
