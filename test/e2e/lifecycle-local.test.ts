// `up` → `status` → `up` again → kill one component → `up` → `down` with the local driver, on
// the real PostgreSQL, Redis and RabbitMQ of this machine, run through the built CLI.
import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {isPortFree} from '../../src/lib/host/ports.js'
import {probePostgres} from '../../src/lib/host/probes.js'
import type {StackState} from '../../src/lib/stack/state.js'
import {runCli} from '../helpers/cli.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'
import {isAlive} from '../../src/lib/host/processes.js'

const INFRA = ['kafka', 'schema-registry', 'postgres', 'redis', 'rabbitmq']

async function readStateFile(stack: TestStack): Promise<StackState> {
  return JSON.parse(await readFile(path.join(stack.stateRoot, stack.name, 'state.json'), 'utf8')) as StackState
}

describe('local driver lifecycle', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await makeTestStack({keep: INFRA})
  })
  afterAll(async () => {
    await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env})
    await stack.cleanup()
  })

  it('brings the stack up, reports it healthy, and a second up changes nothing', async () => {
    const up = await runCli(['up', '--driver', 'local', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(up.exitCode, up.stderr).toBe(0)
    const result = JSON.parse(up.stdout) as {
      changed: boolean
      components: Array<{name: string; action: string}>
      endpoints: {databaseUrl: string; amqpUrl: string; redisKeyPrefix: string}
    }
    expect(result.changed).toBe(true)
    expect(Object.fromEntries(result.components.map((component) => [component.name, component.action]))).toEqual({
      kafka: 'started',
      'schema-registry': 'started',
      postgres: 'reused',
      redis: 'reused',
      rabbitmq: 'reused',
    })
    expect(result.endpoints.databaseUrl).toBe(`postgres://postgres@127.0.0.1:5432/${stack.name}`)
    expect(result.endpoints.amqpUrl).toBe(`amqp://guest:guest@127.0.0.1:5672/${stack.name}`)
    expect(result.endpoints.redisKeyPrefix).toBe(`${stack.name}:`)

    const status = await runCli(['status', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(status.exitCode).toBe(0)
    const report = JSON.parse(status.stdout) as {healthy: boolean; components: Array<{name: string; healthy: boolean}>}
    expect(report.healthy).toBe(true)
    expect(report.components.map((component) => component.name).sort()).toEqual([...INFRA].sort())

    const again = await runCli(['up', '--driver', 'local', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(again.exitCode).toBe(0)
    const second = JSON.parse(again.stdout) as {changed: boolean; components: Array<{action: string}>}
    expect(second.changed).toBe(false)
    expect(second.components.every((component) => component.action === 'running')).toBe(true)
  })

  it('restarts just the component that died', async () => {
    const before = await readStateFile(stack)
    const registry = before.components['schema-registry']!.process!.pid
    process.kill(registry, 'SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 200))
    const status = await runCli(['status', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(status.exitCode).toBe(3)
    const up = await runCli(['up', '--driver', 'local', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(up.exitCode, up.stderr).toBe(0)
    const actions = Object.fromEntries(
      (JSON.parse(up.stdout) as {components: Array<{name: string; action: string}>}).components.map((component) => [
        component.name,
        component.action,
      ]),
    )
    expect(actions).toEqual({
      kafka: 'running',
      'schema-registry': 'restarted',
      postgres: 'running',
      redis: 'running',
      rabbitmq: 'running',
    })
    const after = await readStateFile(stack)
    expect(after.components['schema-registry']!.process!.pid).not.toBe(registry)
  })

  it('prints the components logs with their names', async () => {
    const logs = await runCli(['logs', 'schema-registry', '--stack', stack.dir, '--lines', '5'], {env: stack.env})
    expect(logs.exitCode).toBe(0)
    expect(logs.stdout).toMatch(/^schema-registry \| .*schema registry listening/m)
    const unknown = await runCli(['logs', 'nope', '--stack', stack.dir], {env: stack.env})
    expect(unknown.exitCode).toBe(2)
  })

  it('down stops exactly what up started, frees its ports, and --volumes removes the stack data', async () => {
    const state = await readStateFile(stack)
    const started = Object.values(state.components).filter((component) => component.mode === 'started')
    const down = await runCli(['down', '--volumes', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(down.exitCode, down.stderr).toBe(0)
    const result = JSON.parse(down.stdout) as {removed: string[]}
    expect(result.removed).toEqual(
      expect.arrayContaining([`postgres database ${stack.name}`, `rabbitmq vhost ${stack.name}`]),
    )
    for (const component of started) {
      expect(isAlive(component.process!.pid), component.name).toBe(false)
      expect(await isPortFree(component.port), component.name).toBe(true)
    }
    // The shared servers keep running.
    expect((await probePostgres('127.0.0.1', 5432)).answers).toBe(true)
    const status = await runCli(['status', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(status.exitCode).toBe(3)
    expect(JSON.parse(status.stdout)).toMatchObject({up: false})
  })
})

describe('local driver with private servers', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await makeTestStack({keep: ['postgres', 'redis']})
  })
  afterAll(async () => {
    await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env})
    await stack.cleanup()
  })

  it('starts its own PostgreSQL and Redis on free ports and stops them again', async () => {
    const up = await runCli(['up', '--driver', 'local', '--own-servers', '--stack', stack.dir, '--json'], {
      env: stack.env,
    })
    expect(up.exitCode, up.stderr).toBe(0)
    const state = await readStateFile(stack)
    const postgres = state.components.postgres!
    const redis = state.components.redis!
    expect(postgres.mode).toBe('started')
    expect(redis.mode).toBe('started')
    expect(postgres.port).not.toBe(5432)
    expect((await probePostgres('127.0.0.1', postgres.port)).answers).toBe(true)
    const down = await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env})
    expect(down.exitCode).toBe(0)
    expect(isAlive(postgres.process!.pid)).toBe(false)
    expect(isAlive(redis.process!.pid)).toBe(false)
    expect(await isPortFree(postgres.port)).toBe(true)
    expect(await isPortFree(redis.port)).toBe(true)
  })
})

describe('a component that fails to start', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await makeTestStack({keep: ['schema-registry']})
  })
  afterAll(async () => {
    await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env})
    await stack.cleanup()
  })

  it('is reported with the tail of its log, and up exits 3', async () => {
    const {createServer} = await import('node:net')
    const state = await import('../../src/lib/stack/load-stack.js').then(({loadStack}) => loadStack(stack.dir))
    const port = state.manifest.components[0]!.port
    const blocker = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve))
    try {
      const up = await runCli(['up', '--driver', 'local', '--stack', stack.dir, '--wait-timeout', '5s'], {
        env: stack.env,
      })
      expect(up.exitCode).toBe(3)
      expect(up.stderr).toContain('Error [COMPONENT_UNHEALTHY]: schema-registry did not become healthy')
      expect(up.stderr).toMatch(/--- last lines of .*schema-registry\.log ---/)
      expect(up.stderr).toMatch(/PORT_UNAVAILABLE.*cannot listen on 127.0.0.1:\d+: in use by node/)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})
