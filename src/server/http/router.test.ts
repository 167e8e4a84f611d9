import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Router, type Route } from './router.ts'

const handler = () => undefined
const route = (method: Route['method'], pattern: string): Route => ({ method, pattern, protocol: 'kserve', handler })

function router(): Router {
  return new Router()
    .add(route('GET', '/v2/models/stats'))
    .add(route('GET', '/v2/models/{model}'))
    .add(route('POST', '/v2/models/{model}/versions/{version}/infer'))
    .add(route('POST', '/v1/models/{model}:predict'))
}

describe('Router', () => {
  it('matches routes in the order they were added, with URL-decoded parameters', () => {
    const routes = router()
    const stats = routes.match('GET', '/v2/models/stats')
    assert.equal(stats.kind === 'found' && stats.route.pattern, '/v2/models/stats')
    const infer = routes.match('POST', '/v2/models/my%20model/versions/2/infer')
    assert.deepEqual(infer.kind === 'found' && infer.params, { model: 'my model', version: '2' })
    const predict = routes.match('POST', '/v1/models/half_plus_two:predict')
    assert.deepEqual(predict.kind === 'found' && predict.params, { model: 'half_plus_two' })
    // A malformed escape stays as sent rather than failing the request.
    const odd = routes.match('GET', '/v2/models/100%')
    assert.deepEqual(odd.kind === 'found' && odd.params, { model: '100%' })
  })

  it('tells a path with other methods (listing HEAD with GET) from an unknown path', () => {
    const routes = router()
    assert.deepEqual(routes.match('DELETE', '/v2/models/m'), { kind: 'method-not-allowed', allowed: ['GET', 'HEAD'] })
    assert.equal(routes.match('HEAD', '/v2/models/m').kind, 'found')
    assert.deepEqual(routes.match('GET', '/v2/models/m/versions/1/infer'), { kind: 'method-not-allowed', allowed: ['POST'] })
    assert.deepEqual(routes.match('GET', '/v3/nothing'), { kind: 'not-found' })
  })

  it('gives the same frozen match for a repeated path, and matches long paths afresh each time', () => {
    const routes = router()
    const first = routes.match('GET', '/v2/models/m')
    assert.equal(routes.match('GET', '/v2/models/m'), first)
    assert.ok(Object.isFrozen(first) && first.kind === 'found' && Object.isFrozen(first.params))
    const long = `/v2/models/${'x'.repeat(300)}`
    const again = routes.match('GET', long)
    assert.notEqual(routes.match('GET', long), again)
    assert.deepEqual(routes.match('GET', long), again)
  })

  it('lists its routes as a copy, so the table changes only through add()', () => {
    const routes = router()
    const listed = routes.routes as Route[]
    listed.length = 0
    assert.equal(routes.routes.length, 4)
    assert.equal(routes.match('GET', '/v2/models/stats').kind, 'found')
  })
})
