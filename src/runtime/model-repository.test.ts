import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { MODEL_FILE_NAME, ModelRepository, isValidModelName } from './model-repository.ts'

let root: string
let repository: ModelRepository

/** Creates `<root>/<relative>` holding `content` (folders on the way included). */
function writeFile(relative: string, content = 'not really onnx'): void {
  const file = path.join(root, relative)
  mkdirSync(path.dirname(file), { recursive: true })
  writeFileSync(file, content)
}

before(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'maas-repository-'))
  repository = new ModelRepository(root)
  // versions: 1, 2, 10 hold model.onnx; 3 is empty; 4 holds another file; 5 has model.onnx as a folder
  for (const version of ['1', '2', '10']) writeFile(`versions/${version}/${MODEL_FILE_NAME}`)
  mkdirSync(path.join(root, 'versions', '3'), { recursive: true })
  writeFile('versions/4/model.pt')
  mkdirSync(path.join(root, 'versions', '5', MODEL_FILE_NAME), { recursive: true })
  // folders and files that are not versions
  for (const name of ['latest', 'v6', '7a', '-8', '1.5']) writeFile(`versions/${name}/${MODEL_FILE_NAME}`)
  writeFile('versions/9')
  writeFile(`versions/${MODEL_FILE_NAME}`)

  writeFile(`configured/1/${MODEL_FILE_NAME}`)
  writeFile('configured/config.json', JSON.stringify({ max_batch_size: 8, labels: ['a', 'b'], version_policy: { all: {} }, engine: { intra_op_threads: 2 } }))

  writeFile(`bad-json/1/${MODEL_FILE_NAME}`)
  writeFile('bad-json/config.json', '{ not json')
  writeFile(`bad-value/1/${MODEL_FILE_NAME}`)
  writeFile('bad-value/config.json', JSON.stringify({ max_batch_size: -4 }))
  writeFile(`config-folder/1/${MODEL_FILE_NAME}`)
  mkdirSync(path.join(root, 'config-folder', 'config.json'), { recursive: true })

  mkdirSync(path.join(root, 'empty'), { recursive: true })
  writeFile(`.hidden/1/${MODEL_FILE_NAME}`)
  writeFile(`a b/1/${MODEL_FILE_NAME}`)
  writeFile(`_private/1/${MODEL_FILE_NAME}`)
  writeFile('not-a-folder.onnx')
  writeFile('README.md', '# models')
})
after(() => rmSync(root, { recursive: true, force: true }))

describe('ModelRepository.list', () => {
  test('lists model folders with valid names, sorted; skips files and invalid names', async () => {
    assert.deepEqual(await repository.list(), ['bad-json', 'bad-value', 'config-folder', 'configured', 'empty', 'versions'])
  })

  test('a missing repository folder holds no models', async () => {
    assert.deepEqual(await new ModelRepository(path.join(root, 'no-such-folder')).list(), [])
  })

  test('a repository path that is a file is an error, not an empty list', async () => {
    await assert.rejects(new ModelRepository(path.join(root, 'README.md')).list(), { code: 'ENOTDIR' })
  })
})

describe('ModelRepository.read', () => {
  test('integer version folders count only when they hold a model.onnx file; highest first', async () => {
    const model = await repository.read('versions')
    assert.ok(model)
    assert.equal(model.name, 'versions')
    assert.equal(model.directory, path.join(root, 'versions'))
    assert.deepEqual(model.versions, [10, 2, 1])
    assert.equal(model.configError, undefined)
    assert.ok(!('configError' in model), 'no configError key when config.json is fine')
  })

  test('without config.json the model gets the default config', async () => {
    const model = await repository.read('versions')
    assert.ok(model)
    assert.equal(model.config.maxBatchSize, 0)
    assert.deepEqual(model.config.versionPolicy, { kind: 'latest', count: 1 })
    assert.deepEqual(model.config.engine, {})
  })

  test('reads config.json', async () => {
    const model = await repository.read('configured')
    assert.ok(model)
    assert.deepEqual(model.versions, [1])
    assert.equal(model.configError, undefined)
    assert.equal(model.config.maxBatchSize, 8)
    assert.deepEqual(model.config.labels, ['a', 'b'])
    assert.deepEqual(model.config.versionPolicy, { kind: 'all' })
    assert.deepEqual(model.config.engine, { intraOpThreads: 2 })
  })

  test('a config.json that is not JSON is reported as configError, with the default config', async () => {
    const model = await repository.read('bad-json')
    assert.ok(model)
    assert.match(model.configError ?? '', /config\.json is not valid JSON/)
    assert.equal(model.config.maxBatchSize, 0)
    assert.deepEqual(model.versions, [1])
  })

  test('an invalid config.json value is reported as configError', async () => {
    const model = await repository.read('bad-value')
    assert.ok(model)
    assert.match(model.configError ?? '', /max_batch_size must be a non-negative integer/)
  })

  test('a config.json that cannot be read is reported as configError', async () => {
    const model = await repository.read('config-folder')
    assert.ok(model)
    assert.match(model.configError ?? '', /EISDIR/)
  })

  test('a model folder with no versions reads with an empty version list', async () => {
    const model = await repository.read('empty')
    assert.ok(model)
    assert.deepEqual(model.versions, [])
  })

  test('unknown models, invalid names and files read as undefined', async () => {
    assert.equal(await repository.read('missing'), undefined)
    for (const name of ['.hidden', 'a b', '_private', '..', '../versions', 'versions/1', '']) {
      assert.equal(await repository.read(name), undefined, `read(${JSON.stringify(name)})`)
    }
    assert.equal(await repository.read('README.md'), undefined, 'a file is not a model')
    assert.equal(await new ModelRepository(path.join(root, 'no-such-folder')).read('versions'), undefined)
  })

  test('modelPath points at <repo>/<model>/<version>/model.onnx', async () => {
    const model = await repository.read('versions')
    assert.ok(model)
    assert.equal(repository.modelPath(model, 10), path.join(root, 'versions', '10', MODEL_FILE_NAME))
  })
})

describe('isValidModelName', () => {
  test('accepts names safe as a folder and a URL segment', () => {
    for (const name of ['mlp', 'resnet-50', 'model_v2', 'a.b', '0', 'A'.repeat(128)]) assert.ok(isValidModelName(name), name)
  })

  test('rejects hidden, empty, spaced, slashed, too long names', () => {
    for (const name of ['', '.hidden', '-dash', '_under', 'a b', 'a/b', 'a%20b', 'é', 'A'.repeat(129)]) assert.ok(!isValidModelName(name), name)
  })
})

test('version folders with leading zeros are not versions, so no version is listed twice', async () => {
  writeFile(`zeros/1/${MODEL_FILE_NAME}`)
  writeFile(`zeros/01/${MODEL_FILE_NAME}`)
  writeFile(`zeros/0001/${MODEL_FILE_NAME}`)
  assert.deepEqual((await repository.read('zeros'))?.versions, [1])
})

test('a config.json whose name differs from the folder, or with another backend, is a config error', async () => {
  writeFile(`renamed/1/${MODEL_FILE_NAME}`)
  writeFile('renamed/config.json', JSON.stringify({ name: 'other' }))
  assert.match((await repository.read('renamed'))?.configError ?? '', /name 'other' does not match the folder name 'renamed'/)
  writeFile(`torch/1/${MODEL_FILE_NAME}`)
  writeFile('torch/config.json', JSON.stringify({ backend: 'pytorch' }))
  assert.match((await repository.read('torch'))?.configError ?? '', /backend 'pytorch' is not served/)
  writeFile(`named/1/${MODEL_FILE_NAME}`)
  writeFile('named/config.json', JSON.stringify({ name: 'named', backend: 'onnxruntime' }))
  assert.equal((await repository.read('named'))?.configError, undefined)
})
