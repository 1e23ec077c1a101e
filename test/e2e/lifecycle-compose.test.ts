// The compose driver, run through the built CLI with a recording fake `docker` on PATH (there is
// no Docker engine on the test machines), plus static checks of the real compose.yaml.
import {mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {parse} from 'yaml'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {parseComposePs} from '../../src/lib/stack/drivers/compose/compose-ps.js'
import {loadStack} from '../../src/lib/stack/load-stack.js'
import {REFERENCE_STACK_DIR} from '../../src/lib/stack/locate.js'
import {ROOT, runCli} from '../helpers/cli.js'

const FAKE_DOCKER_DIR = path.join(ROOT, 'test/helpers/fake-docker')
const PROJECT = 'streamctl-reference'
const COMPOSE_FILE = path.join(REFERENCE_STACK_DIR, 'compose.yaml')

interface Container {
  Name: string
  Service: string
  State: string
  Health: string
  Publishers: Array<{URL: string; TargetPort: number; PublishedPort: number; Protocol: string}>
}

async function psFor(healthy: (service: string) => boolean): Promise<Container[]> {
  const compose = parse(await readFile(COMPOSE_FILE, 'utf8')) as {services: Record<string, {ports?: string[]}>}
  return Object.entries(compose.services).map(([service, spec]) => ({
    Name: `${PROJECT}-${service}-1`,
    Service: service,
    State: 'running',
    Health: healthy(service) ? 'healthy' : 'unhealthy',
    Publishers: (spec.ports ?? []).map((mapping) => {
      const [, published, target] = mapping.split(':')
      return {URL: '127.0.0.1', TargetPort: Number(target), PublishedPort: Number(published), Protocol: 'tcp'}
    }),
  }))
}

describe('compose driver', () => {
  let dir: string
  let env: NodeJS.ProcessEnv
  let log: string

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-compose-'))
    log = path.join(dir, 'docker.log')
    env = {
      PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`,
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_ENV_LOG: path.join(dir, 'docker-env.log'),
      FAKE_DOCKER_PS: path.join(dir, 'ps.json'),
      STREAMCTL_STATE_DIR: path.join(dir, 'state'),
    }
  })
  afterEach(() => rm(dir, {recursive: true, force: true}))

  async function invocations(): Promise<string[][]> {
    const text = await readFile(log, 'utf8').catch(() => '')
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[])
  }

  it('is what auto picks when an engine answers, and runs compose up --wait for the project', async () => {
    // Compose ≥ 2.21 prints one JSON object per line.
    await writeFile(
      env.FAKE_DOCKER_PS!,
      (await psFor(() => true)).map((container) => JSON.stringify(container)).join('\n'),
    )
    const up = await runCli(['up', '--json', '--wait-timeout', '90s'], {env})
    expect(up.exitCode, up.stderr).toBe(0)
    const result = JSON.parse(up.stdout) as {
      driver: string
      driverReason: string
      endpoints: {
        databaseUrl: string
        kafkaBrokers: string[]
        redisUrl: string
        amqpUrl: string
        services: Record<string, string>
      }
    }
    expect(result.driver).toBe('compose')
    expect(result.driverReason).toMatch(/^auto: Docker engine 27\.3\.1 answers/)
    const calls = await invocations()
    expect(calls).toContainEqual([
      'compose',
      '-p',
      PROJECT,
      '-f',
      COMPOSE_FILE,
      'up',
      '--detach',
      '--wait',
      '--wait-timeout',
      '90',
    ])
    expect(calls).toContainEqual(['info', '--format', '{{.ServerVersion}}'])
    // The endpoints are the ports compose published on 127.0.0.1.
    expect(result.endpoints.kafkaBrokers).toEqual(['127.0.0.1:9092'])
    expect(result.endpoints.databaseUrl).toBe('postgres://postgres@127.0.0.1:55432/streamctl')
    expect(result.endpoints.redisUrl).toBe('redis://127.0.0.1:56379')
    expect(result.endpoints.amqpUrl).toBe('amqp://guest:guest@127.0.0.1:55672/streamctl')
    expect(result.endpoints.services.gateway).toBe('http://127.0.0.1:8080')

    const status = await runCli(['status', '--json'], {env})
    expect(JSON.parse(status.stdout)).toMatchObject({driver: 'compose', healthy: true})

    // The gateway's admin token: made once (mode 0600), given to compose up for its ADMIN_TOKEN, the same on the next up.
    const tokenFile = path.join(dir, 'state', 'reference', 'admin-token')
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600)
    const token = (await readFile(tokenFile, 'utf8')).trim()
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const again = await runCli(['up', '--driver', 'compose', '--json'], {env})
    expect(again.exitCode, again.stderr).toBe(0)
    const ups = (await readFile(env.FAKE_DOCKER_ENV_LOG!, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as {args: string[]; adminToken: string | null})
      .filter((call) => call.args.includes('up'))
    expect(ups.map((call) => call.adminToken)).toEqual([token, token])

    const down = await runCli(['down', '--volumes'], {env})
    expect(down.exitCode, down.stderr).toBe(0)
    expect(await invocations()).toContainEqual([
      'compose',
      '-p',
      PROJECT,
      '-f',
      COMPOSE_FILE,
      'down',
      '--remove-orphans',
      '--volumes',
    ])
  })

  it('on failure prints ps --all and the failing service logs, and exits 3', async () => {
    // Older Compose prints a JSON array.
    await writeFile(env.FAKE_DOCKER_PS!, JSON.stringify(await psFor((service) => service !== 'gateway')))
    const up = await runCli(['up', '--driver', 'compose'], {env: {...env, FAKE_DOCKER_UP_EXIT: '1'}})
    expect(up.exitCode).toBe(3)
    expect(up.stderr).toContain(
      'Error [COMPONENT_UNHEALTHY]: docker compose up did not get every service healthy (failing: gateway)',
    )
    expect(up.stderr).toContain('--- docker compose ps --all ---')
    expect(up.stderr).toContain('--- logs of gateway ---')
    const calls = await invocations()
    expect(calls).toContainEqual(['compose', '-p', PROJECT, '-f', COMPOSE_FILE, 'ps', '--all'])
    expect(calls).toContainEqual([
      'compose',
      '-p',
      PROJECT,
      '-f',
      COMPOSE_FILE,
      'logs',
      '--no-color',
      '--tail',
      '40',
      'gateway',
    ])
  })

  it('refuses --driver compose when no engine answers, saying what to do', async () => {
    const up = await runCli(['up', '--driver', 'compose'], {env: {...env, FAKE_DOCKER_NO_ENGINE: '1'}})
    expect(up.exitCode).toBe(3)
    expect(up.stderr).toContain('the compose driver needs a Docker engine: Cannot connect to the Docker daemon')
    expect(up.stderr).toContain('or use --driver local')
  })
})

describe('compose ps output', () => {
  it('parses the array form and the line-per-object form alike', () => {
    const one = {Name: 'a-1', Service: 'a', State: 'running', Health: 'healthy'}
    const two = {Name: 'b-1', Service: 'b', State: 'exited', Health: '', ExitCode: 1}
    expect(parseComposePs(JSON.stringify([one, two]))).toEqual([one, two])
    expect(parseComposePs(`${JSON.stringify(one)}\n${JSON.stringify(two)}\n`)).toEqual([one, two])
    expect(parseComposePs('')).toEqual([])
  })
})

describe('compose.yaml', () => {
  it('has a healthcheck on every service, publishes only on 127.0.0.1, and matches the manifest', async () => {
    const compose = parse(await readFile(COMPOSE_FILE, 'utf8'), {merge: true}) as {
      services: Record<
        string,
        {
          healthcheck?: {test?: unknown; interval?: string}
          ports?: string[]
          image?: string
          build?: unknown
          depends_on?: Record<string, unknown>
          environment?: Record<string, unknown>
        }
      >
    }
    const {manifest} = await loadStack(REFERENCE_STACK_DIR)
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, `${name} healthcheck`).toBeDefined()
      expect(service.healthcheck?.interval, `${name} interval`).toBe('2s')
      for (const mapping of service.ports ?? []) expect(mapping, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/)
    }
    for (const component of manifest.components) {
      const service = compose.services[component.name]
      expect(service, component.name).toBeDefined()
      if (component.kind === 'service') {
        expect(service!.ports, component.name).toContain(`127.0.0.1:${component.port}:${component.port}`)
        expect(service!.image).toBe('streamctl:local')
      }
      // Compose starts a service after what the manifest says it depends on, as the local driver does.
      for (const dependency of component.dependsOn ?? [])
        expect(Object.keys(service!.depends_on ?? {}), `${component.name} depends_on`).toContain(dependency)
    }
    expect(compose.services.kafka!.image).toMatch(/^apache\/kafka:/)
    // Only the gateway gets the admin token, from what `up` passes; unset, its admin API stays closed.
    expect(compose.services.gateway!.environment!.ADMIN_TOKEN).toBe('${STREAMCTL_ADMIN_TOKEN:-}')
    for (const [name, service] of Object.entries(compose.services))
      if (name !== 'gateway') expect(service.environment?.ADMIN_TOKEN, name).toBeUndefined()
    expect(compose.services.prometheus).toBeDefined()
  })
})
