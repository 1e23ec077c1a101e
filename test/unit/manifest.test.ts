import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {StreamctlError} from '../../src/lib/errors.js'
import {loadStack} from '../../src/lib/stack/load-stack.js'
import {REFERENCE_STACK_DIR, resolveStackDir} from '../../src/lib/stack/locate.js'
import type {SourceProblem} from '../../src/lib/yaml/source.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-stack-'))
  await cp(REFERENCE_STACK_DIR, dir, {recursive: true})
})

afterEach(async () => {
  await rm(dir, {recursive: true, force: true})
})

/** Rewrites stack.yaml, replacing `find` with `replace`, and returns the 1-based line of the change. */
async function edit(find: string, replace: string): Promise<number> {
  const file = path.join(dir, 'stack.yaml')
  const text = await readFile(file, 'utf8')
  const index = text.indexOf(find)
  expect(index, `"${find}" in stack.yaml`).toBeGreaterThanOrEqual(0)
  await writeFile(file, text.slice(0, index) + replace + text.slice(index + find.length))
  return text.slice(0, index).split('\n').length
}

async function problems(): Promise<SourceProblem[]> {
  try {
    await loadStack(dir)
  } catch (error) {
    expect(error).toBeInstanceOf(StreamctlError)
    const failure = error as StreamctlError
    expect(failure.code).toBe('MANIFEST_INVALID')
    expect(failure.exitCode).toBe(2)
    return (failure.details as {problems: SourceProblem[]}).problems
  }
  throw new Error('expected the manifest to be invalid')
}

describe('the reference stack manifest', () => {
  it('loads with the content PRODUCT.md describes', async () => {
    const {manifest} = await loadStack(REFERENCE_STACK_DIR)
    expect(manifest.topics.map((topic) => topic.name)).toEqual(
      expect.arrayContaining(['user-events', 'content-events']),
    )
    expect(manifest.queues.map((queue) => queue.name)).toEqual([
      'inference_requests',
      'inference_results',
      'recommendation_refresh',
      'tagging_jobs',
      'inference_requests.dlq',
      'inference_results.dlq',
      'tagging_jobs.dlq',
    ])
    expect(manifest.queues[0]).toMatchObject({
      deadLetterQueue: 'inference_requests.dlq',
      durable: true,
      maxPriority: 10,
      mode: 'lazy',
      version: 2,
    })
    expect(manifest.queues[1]).not.toHaveProperty('mode')
    expect(manifest.quotas.tiers.map((tier) => tier.name)).toEqual(['free', 'pro', 'enterprise'])
    const sla = Object.fromEntries(manifest.sla.map((target) => [target.metric, target.threshold]))
    expect(sla['generate.accept']).toMatchObject({aggregate: {kind: 'percentile', p: 99}, op: '<', value: 100})
    expect(sla.status).toMatchObject({aggregate: {kind: 'percentile', p: 99}, value: 50})
    expect(sla.recommendations).toMatchObject({value: 200})
    expect(sla.e2e).toMatchObject({aggregate: {kind: 'percentile', p: 95}, value: 3000})
    expect(sla.errors).toMatchObject({aggregate: {kind: 'rate'}, value: 0.001})
    expect(sla['quota.drift']).toMatchObject({op: '==', value: 0})
    const gateway = manifest.components.find((component) => component.name === 'gateway')
    expect(gateway).toMatchObject({kind: 'service', service: 'gateway', health: '/readyz', port: 8080})
    expect(manifest.topics[0]!.configs['retention.ms']).toBe('604800000')
  })
})

describe('manifest validation', () => {
  it('reports a wrong type at its line and column', async () => {
    const line = await edit('partitions: 6', 'partitions: six')
    const [problem] = await problems()
    expect(problem).toMatchObject({file: expect.stringMatching(/stack\.yaml$/), line, col: 17})
    expect(problem!.message).toBe('topics[0].partitions: expected an integer, got "six"')
  })

  it('suggests the field meant by an unknown one, at the key', async () => {
    const line = await edit('    maxPriority: 10', '    maxPriorty: 10')
    const [problem] = await problems()
    expect(problem).toMatchObject({line, col: 5})
    expect(problem!.message).toBe('queues[0]: unknown field "maxPriorty" (did you mean "maxPriority"?)')
  })

  it('names the values a queue storage mode and version may take', async () => {
    const modeLine = await edit('    mode: lazy', '    mode: lasy')
    const versionLine = await edit('    version: 2', '    version: 3')
    const found = await problems()
    expect(found.map((problem) => [problem.line, problem.message])).toEqual([
      [modeLine, 'queues[0].mode: must be one of "default", "lazy", got "lasy"'],
      [versionLine, 'queues[0].version: must be one of 1, 2, got 3'],
    ])
  })

  it('reports every problem at once, in line order', async () => {
    const typeLine = await edit('partitions: 3', 'partitions: -1')
    const slaLine = await edit('status: p(99)<50ms', 'status: p(99)<50parsecs')
    const found = await problems()
    expect(found.map((problem) => problem.line)).toEqual([typeLine, slaLine])
    expect(found[1]!.message).toMatch(/sla\.status: threshold "p\(99\)<50parsecs": unknown unit/)
  })

  it('checks references between sections', async () => {
    await edit('deadLetterQueue: inference_results.dlq', 'deadLetterQueue: nowhere')
    await edit('dependsOn: [rabbitmq, llm-sim]', 'dependsOn: [rabbitmq, llm]')
    await edit('valueSchema: content-event', 'valueSchema: content')
    await edit('mix: {free: 70, pro: 25, enterprise: 5}', 'mix: {free: 70, pro: 25, gold: 5}')
    const messages = (await problems()).map((problem) => problem.message)
    expect(messages).toEqual(
      expect.arrayContaining([
        'queues[1].deadLetterQueue: unknown queue "nowhere"; declare it under queues',
        'components.worker.dependsOn[1]: unknown component "llm"',
        'topics[1].valueSchema: unknown schema "content" (declared: user-event, content-event)',
        'quotas.seed.mix.gold: unknown tier "gold"',
      ]),
    )
  })

  it('finds dependency cycles and port clashes', async () => {
    await edit(
      '    port: 8084\n    dependsOn: [postgres, redis, rabbitmq]',
      '    port: 8084\n    dependsOn: [postgres, redis, rabbitmq, gateway]',
    )
    await edit('port: 8083', 'port: 8080')
    const messages = (await problems()).map((problem) => problem.message)
    expect(
      messages.some((message) =>
        /dependency cycle: (gateway -> recommender -> gateway|recommender -> gateway -> recommender)$/.test(message),
      ),
    ).toBe(true)
    expect(messages.some((message) => message.includes('port 8080 is already used by'))).toBe(true)
  })

  it('reports invalid YAML with its position', async () => {
    const line = await edit('  - name: content-events', '  - name: [content-events')
    const [problem] = await problems()
    expect(problem!.line).toBeGreaterThanOrEqual(line)
    expect(problem!.message).toMatch(/^invalid YAML: /)
  })

  it('checks the files the manifest names', async () => {
    await writeFile(
      path.join(dir, 'schemas', 'user-event.schema.json'),
      '{\n  "type": "object",\n  "properties": {,}\n}\n',
    )
    await writeFile(path.join(dir, 'migrations', 'bad-name.sql'), 'SELECT 1;')
    await rm(path.join(dir, 'profiles'), {recursive: true})
    const found = await problems()
    const schemaProblem = found.find((problem) => problem.file.endsWith('user-event.schema.json'))
    expect(schemaProblem).toMatchObject({line: 3})
    expect(schemaProblem!.message).toMatch(/^invalid JSON/)
    expect(found.find((problem) => problem.file.endsWith('bad-name.sql'))!.message).toMatch(/NNNN_description\.sql/)
    expect(found.find((problem) => problem.message.includes('profiles directory'))).toBeDefined()
  })

  it('says where to look when there is no stack.yaml', async () => {
    await expect(loadStack(path.join(dir, 'schemas'))).rejects.toMatchObject({code: 'STACK_NOT_FOUND', exitCode: 2})
  })
})

describe('resolveStackDir', () => {
  it('prefers --stack, then STREAMCTL_STACK, then ./stack.yaml, then the reference stack', () => {
    expect(resolveStackDir('my-stack', {STREAMCTL_STACK: '/env'}, '/work')).toBe('/work/my-stack')
    expect(resolveStackDir(undefined, {STREAMCTL_STACK: '/env'}, '/work')).toBe('/env')
    expect(resolveStackDir(undefined, {}, dir)).toBe(dir)
    expect(resolveStackDir(undefined, {}, os.tmpdir())).toBe(REFERENCE_STACK_DIR)
  })
})
