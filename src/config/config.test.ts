import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { InvalidArgumentError } from '../core/errors.ts'
import { defaultConfig, loadConfig, type RawConfig } from './config.ts'
import { CONFIG_FIELDS } from './config-fields.ts'

let tmp: string
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'maas-config-'))
})
after(() => rmSync(tmp, { recursive: true, force: true }))

let fileCount = 0
/** Writes a config file under tmp (in `folder`, relative to tmp) and returns its absolute path. */
function writeConfig(content: unknown, folder = '.'): string {
  const directory = path.join(tmp, folder)
  mkdirSync(directory, { recursive: true })
  const file = path.join(directory, `maas-${++fileCount}.json`)
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

/** Asserts that `run` throws an InvalidArgumentError whose message contains every part. */
function assertInvalid(run: () => unknown, ...parts: string[]): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(error)}`)
    assert.equal(error.code, 'INVALID_ARGUMENT')
    for (const part of parts) assert.ok(error.message.includes(part), `message ${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`)
    return true
  })
}

describe('defaults', () => {
  test('with no file, env or flags the config is the documented defaults, paths under cwd', () => {
    const config = loadConfig({ flags: {}, env: {}, cwd: tmp })
    assert.deepEqual(config, defaultConfig(tmp))
    assert.equal(config.modelRepository, path.join(tmp, 'model-repository'))
    assert.equal(config.dataDir, path.join(tmp, 'data'))
    assert.equal(config.host, '127.0.0.1')
    assert.equal(config.httpPort, 8000)
    assert.equal(config.maxBodyBytes, 64 * 1024 * 1024)
    assert.equal(config.maxUploadBytes, 1024 * 1024 * 1024)
    assert.equal(config.logLevel, 'info')
    assert.equal(config.shutdownTimeoutMs, 30_000)
    assert.deepEqual(config.engine, { intraOpThreads: 1, interOpThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' })
  })

  test('empty environment variables and undefined flags are ignored', () => {
    const config = loadConfig({ flags: { httpPort: undefined, host: undefined }, env: { MAAS_HTTP_PORT: '', MAAS_HOST: '', MAAS_CONFIG: '' }, cwd: tmp })
    assert.equal(config.httpPort, 8000)
    assert.equal(config.host, '127.0.0.1')
  })

  test('environment variables that are not MAAS_* settings are ignored', () => {
    const config = loadConfig({ flags: {}, env: { PORT: '1234', HTTP_PORT: '1234', MAAS_UNKNOWN: 'x' }, cwd: tmp })
    assert.equal(config.httpPort, 8000)
  })
})

describe('precedence: defaults < config file < MAAS_* env < flags', () => {
  test('each source overrides only the settings it names', () => {
    const file = writeConfig({ httpPort: 1001, host: 'file-host', logLevel: 'debug', maxBodyBytes: 2048, intraOpThreads: 2, graphOptimizationLevel: 'basic' })
    const env = { MAAS_HTTP_PORT: '1002', MAAS_HOST: 'env-host', MAAS_INTRA_OP_THREADS: '3' }
    const flags: RawConfig = { config: file, httpPort: '1003' }
    const config = loadConfig({ flags, env, cwd: tmp })
    assert.equal(config.httpPort, 1003, 'flag beats env and file')
    assert.equal(config.host, 'env-host', 'env beats file')
    assert.equal(config.engine.intraOpThreads, 3, 'env beats file for engine settings')
    assert.equal(config.logLevel, 'debug', 'file beats default')
    assert.equal(config.maxBodyBytes, 2048, 'file beats default')
    assert.equal(config.engine.graphOptimizationLevel, 'basic', 'file beats default for engine settings')
    assert.equal(config.engine.interOpThreads, 1, 'untouched engine settings keep their default')
    assert.equal(config.engine.executionMode, 'sequential')
    assert.equal(config.shutdownTimeoutMs, 30_000, 'untouched settings keep their default')
  })

  test('the file alone overrides the defaults', () => {
    const file = writeConfig({ httpPort: 1234, shutdownTimeoutMs: 0, interOpThreads: 4 })
    const config = loadConfig({ flags: { config: file }, env: {}, cwd: tmp })
    assert.equal(config.httpPort, 1234)
    assert.equal(config.shutdownTimeoutMs, 0)
    assert.equal(config.engine.interOpThreads, 4)
  })

  test('MAAS_CONFIG names the file; --config wins over MAAS_CONFIG', () => {
    const fromEnv = writeConfig({ httpPort: 2001 })
    const fromFlag = writeConfig({ httpPort: 2002 })
    assert.equal(loadConfig({ flags: {}, env: { MAAS_CONFIG: fromEnv }, cwd: tmp }).httpPort, 2001)
    assert.equal(loadConfig({ flags: { config: fromFlag }, env: { MAAS_CONFIG: fromEnv }, cwd: tmp }).httpPort, 2002)
  })

  test('a relative config file path is resolved against cwd', () => {
    const file = writeConfig({ httpPort: 2101 }, 'relative')
    const relative = path.relative(tmp, file)
    assert.ok(!path.isAbsolute(relative))
    assert.equal(loadConfig({ flags: { config: relative }, env: {}, cwd: tmp }).httpPort, 2101)
    assert.equal(loadConfig({ flags: {}, env: { MAAS_CONFIG: relative }, cwd: tmp }).httpPort, 2101)
  })

  test('string values from env and flags are parsed to numbers; surrounding spaces are allowed', () => {
    const config = loadConfig({ flags: { maxBodyBytes: ' 4096 ' }, env: { MAAS_SHUTDOWN_TIMEOUT_MS: '250' }, cwd: tmp })
    assert.equal(config.maxBodyBytes, 4096)
    assert.equal(config.shutdownTimeoutMs, 250)
  })

  test('port 0 (pick a free port) is accepted', () => {
    assert.equal(loadConfig({ flags: { httpPort: '0' }, env: {}, cwd: tmp }).httpPort, 0)
  })
})

describe('relative paths', () => {
  test('paths in the config file are resolved against the file\'s folder, not cwd', () => {
    const file = writeConfig({ modelRepository: 'models', dataDir: '../state' }, 'conf/nested')
    const elsewhere = path.join(tmp, 'elsewhere')
    const config = loadConfig({ flags: { config: file }, env: {}, cwd: elsewhere })
    assert.equal(config.modelRepository, path.join(tmp, 'conf', 'nested', 'models'))
    assert.equal(config.dataDir, path.join(tmp, 'conf', 'state'))
  })

  test('paths from env and flags are resolved against cwd', () => {
    const cwd = path.join(tmp, 'work')
    const config = loadConfig({ flags: { modelRepository: 'flag-repo' }, env: { MAAS_DATA_DIR: 'env-data' }, cwd })
    assert.equal(config.modelRepository, path.join(cwd, 'flag-repo'))
    assert.equal(config.dataDir, path.join(cwd, 'env-data'))
  })

  test('absolute paths are kept as they are, from every source', () => {
    const absolute = path.join(tmp, 'absolute-repo')
    const file = writeConfig({ modelRepository: absolute }, 'abs')
    assert.equal(loadConfig({ flags: { config: file }, env: {}, cwd: '/' }).modelRepository, absolute)
    assert.equal(loadConfig({ flags: {}, env: { MAAS_MODEL_REPOSITORY: absolute }, cwd: '/' }).modelRepository, absolute)
    assert.equal(loadConfig({ flags: { dataDir: absolute }, env: {}, cwd: '/' }).dataDir, absolute)
  })
})

describe('bad values name their source and what was expected', () => {
  test('a bad MAAS_* variable names the variable', () => {
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_HTTP_PORT: 'abc' }, cwd: tmp }), 'MAAS_HTTP_PORT', 'expected an integer from 0 to 65535', '"abc"')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_HTTP_PORT: '65536' }, cwd: tmp }), 'MAAS_HTTP_PORT', '"65536"')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_HTTP_PORT: '80.5' }, cwd: tmp }), 'MAAS_HTTP_PORT')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_LOG_LEVEL: 'loud' }, cwd: tmp }), 'MAAS_LOG_LEVEL', 'one of fatal, error, warn, info, debug, trace, silent', '"loud"')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_MAX_BODY_BYTES: '10' }, cwd: tmp }), 'MAAS_MAX_BODY_BYTES', 'an integer from 1024 to 2147483647')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_SHUTDOWN_TIMEOUT_MS: '-1' }, cwd: tmp }), 'MAAS_SHUTDOWN_TIMEOUT_MS', 'an integer from 0 to 3600000')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_INTRA_OP_THREADS: '0' }, cwd: tmp }), 'MAAS_INTRA_OP_THREADS', 'an integer from 1 to 256')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_INTER_OP_THREADS: '257' }, cwd: tmp }), 'MAAS_INTER_OP_THREADS', 'an integer from 1 to 256')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_GRAPH_OPTIMIZATION_LEVEL: 'max' }, cwd: tmp }), 'MAAS_GRAPH_OPTIMIZATION_LEVEL', 'one of disabled, basic, extended, all')
    assertInvalid(() => loadConfig({ flags: {}, env: { MAAS_HOST: '   ' }, cwd: tmp }), 'MAAS_HOST', 'a host name or address')
  })

  test('a bad flag names the --flag', () => {
    assertInvalid(() => loadConfig({ flags: { httpPort: 'abc' }, env: {}, cwd: tmp }), '--http-port', 'expected an integer from 0 to 65535', '"abc"')
    assertInvalid(() => loadConfig({ flags: { httpPort: '-1' }, env: {}, cwd: tmp }), '--http-port')
    assertInvalid(() => loadConfig({ flags: { logLevel: 'verbose' }, env: {}, cwd: tmp }), '--log-level', 'one of fatal')
    assertInvalid(() => loadConfig({ flags: { modelRepository: '' }, env: {}, cwd: tmp }), '--model-repository', 'a directory path')
    assertInvalid(() => loadConfig({ flags: { dataDir: ' ' }, env: {}, cwd: tmp }), '--data-dir', 'a directory path')
    assertInvalid(() => loadConfig({ flags: { maxBodyBytes: '1e6' }, env: {}, cwd: tmp }), '--max-body-bytes')
    assertInvalid(() => loadConfig({ flags: { graphOptimizationLevel: 'ALL' }, env: {}, cwd: tmp }), '--graph-optimization-level')
  })

  test('a bad flag is reported even when env holds a good value for the same setting', () => {
    assertInvalid(() => loadConfig({ flags: { httpPort: 'abc' }, env: { MAAS_HTTP_PORT: '1234' }, cwd: tmp }), '--http-port')
  })

  test('a bad value in the file names the key and the file path', () => {
    const port = writeConfig({ httpPort: -1 })
    assertInvalid(() => loadConfig({ flags: { config: port }, env: {}, cwd: tmp }), `'httpPort' in ${port}`, 'expected an integer from 0 to 65535', '-1')
    const fraction = writeConfig({ shutdownTimeoutMs: 1.5 })
    assertInvalid(() => loadConfig({ flags: { config: fraction }, env: {}, cwd: tmp }), `'shutdownTimeoutMs' in ${fraction}`, 'an integer from 0 to 3600000')
    const repository = writeConfig({ modelRepository: 42 })
    assertInvalid(() => loadConfig({ flags: { config: repository }, env: {}, cwd: tmp }), `'modelRepository' in ${repository}`, 'a directory path', '42')
    const level = writeConfig({ logLevel: null })
    assertInvalid(() => loadConfig({ flags: { config: level }, env: {}, cwd: tmp }), `'logLevel' in ${level}`, 'one of fatal', 'null')
    const threads = writeConfig({ intraOpThreads: '2x' })
    assertInvalid(() => loadConfig({ flags: { config: threads }, env: {}, cwd: tmp }), `'intraOpThreads' in ${threads}`, 'an integer from 1 to 256')
  })

  test('a bad value in the file is reported even when env or flags would override it', () => {
    const file = writeConfig({ httpPort: 'not a port' })
    assertInvalid(() => loadConfig({ flags: { config: file, httpPort: '1' }, env: { MAAS_HTTP_PORT: '2' }, cwd: tmp }), `'httpPort' in ${file}`)
  })

  test('an unknown key in the file is rejected, naming the file and the known keys', () => {
    const file = writeConfig({ port: 8080 })
    assertInvalid(
      () => loadConfig({ flags: { config: file }, env: {}, cwd: tmp }),
      "unknown setting 'port'",
      file,
      `known settings: ${CONFIG_FIELDS.map((field) => field.name).join(', ')}`,
    )
  })

  test('a nested engine object in the file is an unknown key too (engine settings are flat)', () => {
    const file = writeConfig({ engine: { intraOpThreads: 2 } })
    assertInvalid(() => loadConfig({ flags: { config: file }, env: {}, cwd: tmp }), "unknown setting 'engine'", 'intraOpThreads')
  })

  test('an unknown flag key is rejected as coming from the command line', () => {
    assertInvalid(() => loadConfig({ flags: { bogus: '1' }, env: {}, cwd: tmp }), "unknown setting 'bogus'", 'command line', 'known settings: modelRepository')
  })
})

describe('config file errors', () => {
  test('a missing file gives an error naming the path and the reason', () => {
    const missing = path.join(tmp, 'no-such-file.json')
    assertInvalid(() => loadConfig({ flags: { config: missing }, env: {}, cwd: tmp }), 'cannot read config file', missing, 'ENOENT')
  })

  test('a folder given as the config file gives an error naming the path', () => {
    const folder = path.join(tmp, 'a-folder')
    mkdirSync(folder, { recursive: true })
    assertInvalid(() => loadConfig({ flags: { config: folder }, env: {}, cwd: tmp }), 'cannot read config file', folder, 'EISDIR')
  })

  test('invalid JSON gives an error naming the path', () => {
    const file = writeConfig('{ "httpPort": 80, }')
    assertInvalid(() => loadConfig({ flags: { config: file }, env: {}, cwd: tmp }), `config file ${file} is not valid JSON`)
    const empty = writeConfig('')
    assertInvalid(() => loadConfig({ flags: { config: empty }, env: {}, cwd: tmp }), `config file ${empty} is not valid JSON`)
  })

  test('JSON that is not an object is rejected', () => {
    for (const content of ['[]', 'null', '42', '"text"']) {
      const file = writeConfig(content)
      assertInvalid(() => loadConfig({ flags: { config: file }, env: {}, cwd: tmp }), `config file ${file} must hold a JSON object`)
    }
  })

  test('an empty object is a valid config file', () => {
    const file = writeConfig({})
    assert.deepEqual(loadConfig({ flags: { config: file }, env: {}, cwd: tmp }), defaultConfig(tmp))
  })
})

describe('the result', () => {
  test('is frozen, engine included', () => {
    const file = writeConfig({ intraOpThreads: 2 })
    const config = loadConfig({ flags: { config: file, httpPort: '1' }, env: { MAAS_HOST: 'h' }, cwd: tmp })
    assert.ok(Object.isFrozen(config))
    assert.ok(Object.isFrozen(config.engine))
    assert.throws(() => {
      ;(config as { httpPort: number }).httpPort = 2
    }, TypeError)
    assert.throws(() => {
      ;(config.engine as { intraOpThreads: number }).intraOpThreads = 8
    }, TypeError)
    assert.equal(config.httpPort, 1)
    assert.equal(config.engine.intraOpThreads, 2)
  })

  test('does not share its engine object with defaultConfig or other loads', () => {
    const first = loadConfig({ flags: {}, env: {}, cwd: tmp })
    const second = loadConfig({ flags: { intraOpThreads: '7' }, env: {}, cwd: tmp })
    assert.equal(first.engine.intraOpThreads, 1)
    assert.equal(second.engine.intraOpThreads, 7)
    assert.notEqual(first.engine, second.engine)
    assert.equal(Object.isFrozen(defaultConfig(tmp)), false)
  })
})
