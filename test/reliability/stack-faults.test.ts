// PRODUCT.md §7 "a component dies mid-run", through the built CLI against a local stack: `bench
// --chaos` kills the tagger mid-run and restarts it, then pauses (SIGSTOP) and resumes it. The run
// finishes, the errors land on the endpoint that needs the tagger (metadata) in the phase of the
// fault, nothing else fails, and the SLA verdict fails on the error rate: exit 99. The same stack then answers the security questions: every process
// streamctl started listens on 127.0.0.1 only, and no seeded API key appears in the services'
// logs, the run records or the CLI's output.
import {readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {BenchResult} from '../../src/commands/bench.js'
import {parseApiKey, type Credentials} from '../../src/lib/stack/credentials.js'
import type {StackState} from '../../src/lib/stack/state.js'
import type {SeriesData, VariantData} from '../../src/lib/measure/run-data.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import {listeningSockets} from '../helpers/sockets.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'
import {printFigure} from '../helpers/trials.js'

const KEEP = ['kafka', 'schema-registry', 'postgres', 'redis', 'rabbitmq', 'tagger', 'recommender', 'gateway']
const PROFILE = `duration: 40s
rate: 20
timeout: 3s
stages:
  - {name: before, curve: constant, rate: 1x, duration: 15%}
  - {name: fault, curve: constant, rate: 1x, duration: 15%}
  - {name: after, curve: constant, rate: 1x}
requests:
  - use: metadata
  - use: recommendations
retry: {policy: none}
sla:
  errors: rate<1%
  recommendations: p(99)<10s
`

const failures = (series: SeriesData | undefined) =>
  Object.values(series?.counts.failed ?? {}).reduce((sum, count) => sum + count, 0)

describe('a component killed mid-bench', () => {
  let stack: TestStack
  let profile: string
  const outputs: CliResult[] = []
  let provisionOutput = ''
  const cli = async (args: string[], timeoutMs = 180_000) => {
    const result = await runCli([...args, '--stack', stack.dir], {env: {...stack.env, CI: '1'}, timeoutMs})
    outputs.push(result)
    return result
  }
  const state = async () =>
    JSON.parse(await readFile(path.join(stack.stateRoot, stack.name, 'state.json'), 'utf8')) as StackState

  beforeAll(async () => {
    stack = await makeTestStack({keep: KEEP})
    profile = path.join(stack.dir, 'faults.yaml')
    await writeFile(profile, PROFILE)
    const up = await cli(['up', '--driver', 'local'])
    expect(up.exitCode, up.stderr).toBe(0)
    const provision = await runCli(['provision', '--stack', stack.dir], {
      env: {...stack.env, CI: '1'},
      timeoutMs: 180_000,
    })
    expect(provision.exitCode, provision.stderr).toBe(0)
    provisionOutput = provision.stdout
    // Warm-up: the first gRPC connection and JIT on a loaded machine must not count as the fault.
    await cli(['bench', profile, '--duration', '4s', '--out', path.join(stack.stateRoot, 'runs')])
  })
  afterAll(async () => {
    await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env, timeoutMs: 120_000})
    await stack.cleanup()
  })

  /** A run with faults: it completes, and its SLA verdict fails on the error rate alone (exit 99). */
  const bench = async (chaos: string[]): Promise<VariantData> => {
    const result = await cli([
      'bench',
      profile,
      '--out',
      path.join(stack.stateRoot, 'runs'),
      '--seed',
      '5',
      ...chaos.flatMap((spec) => ['--chaos', spec]),
      '--json',
    ])
    expect(result.exitCode, result.stderr).toBe(99)
    const {run} = JSON.parse(result.stdout) as BenchResult
    expect(run.sla.passed).toBe(false)
    expect(run.sla.results.map((target) => [target.metric, target.status])).toEqual([
      ['errors', 'fail'],
      ['recommendations', 'pass'],
      // Added to every open-model run: nothing was shed.
      ['dropped', 'pass'],
    ])
    return run.variants[0]!
  }

  const BENCH_TIMEOUT_MS = 300_000

  it(
    'kill -9 then restart: the run completes, only metadata fails, in the fault phase, and exit 99',
    async () => {
      const tagger = (await state()).components.tagger!.process!.pid
      const variant = await bench(['kill:tagger@15%', 'restart:tagger@30%'])
      expect(
        variant.timeline.map((event) => [event.action, event.ok, (event.detail as {component: string}).component]),
      ).toEqual([
        ['kill', true, 'tagger'],
        ['restart', true, 'tagger'],
      ])
      expect((await state()).components.tagger!.process!.pid).not.toBe(tagger)
      const {before, fault, after} = variant.phases
      expect(failures(before?.metadata)).toBe(0)
      expect(failures(fault?.metadata)).toBeGreaterThan(0)
      // The restarted tagger serves again before the run ends (the gateway's gRPC channel reconnects
      // with backoff, hence the long last phase).
      expect(after?.metadata?.counts.succeeded).toBeGreaterThan(0)
      for (const phase of [before, fault, after]) expect(failures(phase?.recommendations)).toBe(0)
      expect(variant.totals.recommendations!.counts.succeeded).toBe(variant.totals.recommendations!.counts.requests)
      printFigure('bench-component-killed', {
        trials: 1,
        failures: 0,
        metadataFailedInFault: failures(fault?.metadata),
        recommendationsFailed: failures(variant.totals.recommendations),
        exitCode: 99,
      })
    },
    BENCH_TIMEOUT_MS,
  )

  it(
    'pause (SIGSTOP) then resume (SIGCONT): metadata times out while paused and recovers',
    async () => {
      const variant = await bench(['pause:tagger@15%', 'resume:tagger@30%'])
      expect(variant.timeline.map((event) => [event.action, event.ok])).toEqual([
        ['pause', true],
        ['resume', true],
      ])
      const {before, fault, after} = variant.phases
      expect(failures(before?.metadata)).toBe(0)
      expect(failures(fault?.metadata)).toBeGreaterThan(0)
      expect(after?.metadata?.counts.succeeded).toBeGreaterThan(0)
      for (const phase of [before, fault, after]) expect(failures(phase?.recommendations)).toBe(0)
      printFigure('bench-component-paused', {
        trials: 1,
        failures: 0,
        metadataFailedInFault: failures(fault?.metadata),
        recommendationsFailed: failures(variant.totals.recommendations),
        exitCode: 99,
      })
    },
    BENCH_TIMEOUT_MS,
  )

  it(
    'refuses a fault on a component the stack does not have, naming it',
    async () => {
      const result = await cli(['bench', profile, '--duration', '1s', '--chaos', 'kill:nonesuch@50%'])
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toMatch(/no component "nonesuch" in the running stack/)
      const bad = await cli(['bench', profile, '--duration', '1s', '--chaos', 'explode:tagger@50%'])
      expect(bad.exitCode).toBe(2)
      expect(bad.stderr).toMatch(/--chaos explode:tagger@50%: unknown action "explode"/)
    },
    BENCH_TIMEOUT_MS,
  )

  it('binds every process it started to 127.0.0.1 only', async () => {
    const started = Object.values((await state()).components).filter((component) => component.mode === 'started')
    expect(started.map((component) => component.name).sort()).toEqual([
      'gateway',
      'kafka',
      'recommender',
      'schema-registry',
      'tagger',
    ])
    for (const component of started) {
      expect(component.host, component.name).toBe('127.0.0.1')
      const sockets = await listeningSockets(component.process!.pid)
      expect(sockets.length, component.name).toBeGreaterThan(0)
      expect(
        sockets.filter((socket) => socket.address !== '127.0.0.1'),
        component.name,
      ).toEqual([])
    }
  })

  // `provision` prints the demo user's key once, by design (the key a user tries the
  // API with; `streamctl provision --help` says so); that is the only place a key may appear.
  it("writes no seeded API key to the services logs, the run records or any output but provision's one demo key", async () => {
    const credentials = JSON.parse(
      await readFile(path.join(stack.stateRoot, stack.name, 'credentials.json'), 'utf8'),
    ) as Credentials
    expect(
      credentials.users.filter((user) => provisionOutput.includes(user.apiKey)).map((user) => user.userId),
    ).toEqual([credentials.users[0]!.userId])
    const secrets = credentials.users.flatMap((user) => [user.apiKey, parseApiKey(user.apiKey)!.secret])
    const logDir = path.join(stack.stateRoot, stack.name, 'logs')
    const runDir = path.join(stack.stateRoot, 'runs')
    const files = [
      ...(await readdir(logDir)).map((name) => path.join(logDir, name)),
      ...(await readdir(runDir)).map((name) => path.join(runDir, name)),
    ]
    expect(files.some((file) => file.endsWith('.json'))).toBe(true)
    const texts = [
      ...(await Promise.all(files.map((file) => readFile(file, 'utf8')))),
      ...outputs.flatMap((output) => [output.stdout, output.stderr]),
    ]
    // Each leak as its file and the 120 characters before the key (the key itself masked).
    const leaks = texts.flatMap((text, index) =>
      secrets
        .filter((secret) => text.includes(secret))
        .map(
          (secret) =>
            `${files[index] ?? 'CLI output'}: ${text.slice(Math.max(0, text.indexOf(secret) - 120), text.indexOf(secret))}<key>`,
        ),
    )
    expect(leaks).toEqual([])
    printFigure('no-key-in-outputs', {trials: texts.length, failures: leaks.length, keys: credentials.users.length})
  })
})
