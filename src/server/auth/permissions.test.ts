import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MaasError, type ErrorCode } from '../../core/errors.ts'
import { ACTION_RULES, ACTIONS, authorize, isAuthorized, type Action, type Resource } from './permissions.ts'
import { createPrincipal, type Principal } from './principal.ts'

const admin = createPrincipal({ keyId: 'k-admin', name: 'root', role: 'admin' })
const owner = createPrincipal({ keyId: 'k-pub', name: 'pub', role: 'publisher' })
const otherPublisher = createPrincipal({ keyId: 'k-pub2', name: 'pub2', role: 'publisher' })
const consumer = createPrincipal({ keyId: 'k-ci', name: 'ci-bot', role: 'consumer' })

type Outcome = 'allow' | 'deny' | 'unauth'
type Row = readonly [anonymous: Outcome, consumer: Outcome, otherPublisher: Outcome, owner: Outcome, admin: Outcome]

/** A private model owned by publisher 'pub' and granted to nobody: the resource of every row. */
const OWNED: Resource = { model: 'vision', owner: 'pub', visibility: 'private' }

const A: Outcome = 'allow'
const D: Outcome = 'deny'
const U: Outcome = 'unauth'

// Record<Action, …>: an Action without a row here fails to compile, as in ACTION_RULES.
const MATRIX: Record<Action, Row> = {
  'health': [A, A, A, A, A],
  'server.metadata': [U, A, A, A, A],
  'model.read': [U, D, D, A, A],
  'model.infer': [U, D, D, A, A],
  'model.create': [U, D, A, A, A],
  'model.update': [U, D, D, A, A],
  'model.delete': [U, D, D, A, A],
  'version.upload': [U, D, D, A, A],
  'alias.write': [U, D, D, A, A],
  'job.create': [U, D, D, A, A],
  'job.read': [U, D, D, A, A],
  'job.cancel': [U, D, D, A, A],
  'repository.load': [U, D, D, D, A],
  'repository.unload': [U, D, D, D, A],
  'repository.index': [U, D, D, D, A],
  'statistics.read': [U, D, D, A, A],
  'metrics.read': [U, D, D, D, A],
  'keys.manage': [U, D, D, D, A],
  'usage.read': [U, D, D, D, A],
  'audit.read': [U, D, D, D, A],
  'optimize.run': [U, D, D, A, A],
}

function outcome(principal: Principal | undefined, action: Action, resource?: Resource, policy?: Parameters<typeof authorize>[3]): Outcome {
  try {
    authorize(principal, action, resource, policy)
    return 'allow'
  } catch (error) {
    assert.ok(error instanceof MaasError, `authorize threw ${String(error)}`)
    const byCode: Partial<Record<ErrorCode, Outcome>> = { UNAUTHENTICATED: 'unauth', PERMISSION_DENIED: 'deny' }
    const result = byCode[error.code]
    assert.ok(result !== undefined, `unexpected code ${error.code}`)
    return result
  }
}

function refusal(principal: Principal | undefined, action: Action, resource?: Resource): string {
  try {
    authorize(principal, action, resource)
  } catch (error) {
    return (error as Error).message
  }
  assert.fail(`${action} was allowed`)
}

describe('the policy table', () => {
  it('gives every Action exactly one rule, and names no other action', () => {
    assert.deepEqual(Object.keys(ACTION_RULES).sort(), [...ACTIONS].sort())
    assert.equal(new Set(ACTIONS).size, ACTIONS.length)
    for (const action of ACTIONS) {
      assert.ok(ACTION_RULES[action].rule.length > 0 && ACTION_RULES[action].doing.length > 0, action)
    }
  })

  it('is covered by the role × action matrix below', () => {
    assert.deepEqual(Object.keys(MATRIX).sort(), [...ACTIONS].sort())
  })
})

describe('authorize, role × action on a private model owned by publisher pub', () => {
  const columns = [['anonymous', undefined], ['consumer', consumer], ['other publisher', otherPublisher], ['owner', owner], ['admin', admin]] as const
  for (const action of ACTIONS) {
    it(`${action}: ${MATRIX[action].join(', ')}`, () => {
      const actual = columns.map(([, principal]) => outcome(principal, action, OWNED))
      assert.deepEqual(actual, MATRIX[action], columns.map(([label]) => label).join(', '))
    })
  }
})

describe('model visibility', () => {
  it('lets every key read and infer with public and internal models', () => {
    for (const visibility of ['public', 'internal'] as const) {
      for (const principal of [consumer, otherPublisher]) {
        assert.equal(outcome(principal, 'model.infer', { model: 'm', owner: 'pub', visibility }), 'allow')
        assert.equal(outcome(principal, 'model.read', { model: 'm', visibility }), 'allow')
      }
    }
  })

  it('still asks for a key for public models', () => {
    assert.equal(outcome(undefined, 'model.infer', { model: 'm', visibility: 'public' }), 'unauth')
  })

  it('lets a consumer use a private model granted to it, and only that one', () => {
    const granted = createPrincipal({ keyId: 'k2', name: 'app', role: 'consumer', models: ['vision'] })
    assert.equal(outcome(granted, 'model.infer', OWNED), 'allow')
    assert.equal(outcome(granted, 'model.infer', { ...OWNED, model: 'audio' }), 'deny')
    assert.equal(outcome(granted, 'model.update', OWNED), 'deny')
  })

  it('treats a model of unknown visibility as private', () => {
    assert.equal(outcome(consumer, 'model.infer', { model: 'vision' }), 'deny')
  })

  it('says which model is private and which key lacks the grant', () => {
    assert.equal(refusal(consumer, 'model.infer', OWNED), "model 'vision' is private and not granted to key 'ci-bot'")
  })

  it('refuses model access without a model name to all but admin', () => {
    assert.match(refusal(consumer, 'model.read', {}), /may not read model metadata without naming a model/)
    assert.equal(outcome(admin, 'model.read', {}), 'allow')
  })
})

describe('ownership', () => {
  it('lets a publisher start a training job for a new model, not a consumer', () => {
    assert.equal(outcome(otherPublisher, 'job.create'), 'allow')
    assert.equal(outcome(consumer, 'job.create'), 'deny')
  })

  it('leaves models without an owner to admins', () => {
    assert.equal(outcome(owner, 'model.update', { model: 'simple', owner: null, visibility: 'public' }), 'deny')
    assert.equal(outcome(admin, 'model.update', { model: 'simple', owner: null }), 'allow')
  })

  it('explains a refusal by role and by ownership', () => {
    assert.equal(refusal(consumer, 'repository.load', OWNED), "key 'ci-bot' (consumer) may not load models")
    assert.equal(refusal(otherPublisher, 'model.delete', OWNED), "key 'pub2' (publisher) may not delete models it does not own (model 'vision')")
    assert.equal(refusal(undefined, 'model.infer', OWNED), "an API key is required to run inference; send 'Authorization: Bearer <API key>'")
  })
})

describe('usage and metrics', () => {
  it('lets any key read its own usage, and only admins read everyone else\'s', () => {
    assert.equal(outcome(consumer, 'usage.read', { keyId: 'k-ci' }), 'allow')
    assert.equal(outcome(consumer, 'usage.read', { keyId: 'k-pub' }), 'deny')
    assert.equal(outcome(consumer, 'usage.read'), 'deny')
    assert.equal(outcome(admin, 'usage.read'), 'allow')
  })

  it('lets the metrics scope read metrics by default, anyone when open, and only admins when admin', () => {
    const scraper = createPrincipal({ keyId: 'k-prom', name: 'prometheus', role: 'consumer', scopes: ['metrics'] })
    assert.equal(outcome(scraper, 'metrics.read'), 'allow')
    assert.equal(outcome(consumer, 'metrics.read'), 'deny')
    assert.match(refusal(consumer, 'metrics.read'), /needs the admin role or the 'metrics' scope/)
    assert.equal(outcome(undefined, 'metrics.read', {}, { metricsAccess: 'open' }), 'allow')
    assert.equal(outcome(scraper, 'metrics.read', {}, { metricsAccess: 'admin' }), 'deny')
    assert.equal(outcome(admin, 'metrics.read', {}, { metricsAccess: 'admin' }), 'allow')
  })
})

describe('isAuthorized', () => {
  it('filters a model list down to what a key may see', () => {
    const models: Resource[] = [OWNED, { model: 'public-one', visibility: 'public' }, { model: 'hidden', visibility: 'private' }]
    assert.deepEqual(models.filter((m) => isAuthorized(consumer, 'model.read', m)).map((m) => m.model), ['public-one'])
    assert.deepEqual(models.filter((m) => isAuthorized(owner, 'model.read', m)).map((m) => m.model), ['vision', 'public-one'])
  })
})
