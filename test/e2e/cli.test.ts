// The built CLI, run as a user runs it: exit codes, stdout/stderr and --json contracts.
import {cp, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseOffsetSpec} from '../../src/lib/kafka/offset-spec.js'
import {parseDuration} from '../../src/lib/text/duration.js'
import {ROOT, runCli} from '../helpers/cli.js'

describe('streamctl CLI conventions', () => {
  it('prints help listing its commands', async () => {
    const result = await runCli(['--help'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/USAGE\s+\$ streamctl \[COMMAND\]/)
    expect(result.stdout).toMatch(/doctor\s+Check this machine/)
    expect(result.stdout).toMatch(/validate\s+Check a stack manifest/)
  })

  it('prints its version', async () => {
    const {version} = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {version: string}
    const result = await runCli(['--version'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain(`streamctl/${version}`)
  })

  it('exits 2 on an unknown command and suggests the nearest one', async () => {
    const result = await runCli(['docter'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [UNKNOWN_COMMAND]: "docter" is not a streamctl command')
    expect(result.stderr).toContain('Did you mean "streamctl doctor"?')
    expect(result.stderr).not.toMatch(/\n\s+at .*\.js:\d+/)
  })

  it('exits 2 on an unknown flag and suggests the nearest one', async () => {
    const result = await runCli(['doctor', '--fxi'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [UNKNOWN_FLAG]: unknown flag: --fxi')
    expect(result.stderr).toContain('Did you mean --fix?')
  })

  it('prints errors as JSON with their code under --json', async () => {
    const result = await runCli(['doctor', '--nope', '--json'])
    expect(result.exitCode).toBe(2)
    const body = JSON.parse(result.stdout) as {error: {code: string; exitCode: number; message: string}}
    expect(body.error).toMatchObject({code: 'UNKNOWN_FLAG', exitCode: 2, message: 'unknown flag: --nope'})
    const unknownCommand = await runCli(['nonsense', '--json'])
    expect(unknownCommand.exitCode).toBe(2)
    expect(JSON.parse(unknownCommand.stdout)).toMatchObject({error: {code: 'UNKNOWN_COMMAND', exitCode: 2}})
  })

  it('never writes ANSI codes when stdout is not a terminal', async () => {
    const result = await runCli(['doctor'], {env: {FORCE_COLOR: undefined}})
    expect(result.stdout + result.stderr).not.toContain('\u001B[')
  })

  it('shows every flag default in help as a value the flag takes', async () => {
    const manifest = JSON.parse(await readFile(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, {flags: Record<string, {default?: unknown; helpValue?: string}>}>
    }
    const defaults = Object.entries(manifest.commands).flatMap(([command, {flags}]) =>
      Object.entries(flags).flatMap(([flag, spec]) => (spec.default === undefined ? [] : [{command, flag, ...spec}])),
    )
    expect(defaults.length).toBeGreaterThan(20)
    for (const {command, flag, default: value, helpValue} of defaults) {
      const where = `${command} --${flag} [default: ${String(value)}]`
      expect(['string', 'number', 'boolean'], where).toContain(typeof value)
      expect(String(value), where).not.toContain('[object')
      // A duration flag rejects a bare number of milliseconds, so its default must read as a duration.
      if (helpValue === '<duration>') expect(parseDuration(String(value)), where).toBeDefined()
      if (helpValue?.includes('<offset>')) expect(() => parseOffsetSpec(String(value)), where).not.toThrow()
    }
    const replay = await runCli(['replay', '--help'])
    expect(replay.stdout).toMatch(/--from=beginning\|end\|<offset>\|<ISO time>\|-<duration>\s+\[default: beginning\]/)
    expect(replay.stdout).toMatch(/--target=projector\|topic:<name>\|gateway\s+\[default: projector\]/)
    expect((await runCli(['up', '--help'])).stdout).toMatch(/--wait-timeout=<duration>\s+\[default: 2m\]/)
  })

  it('refuses a replay range whose --to comes before its --from, naming both flags', async () => {
    const result = await runCli(['replay', '--from', '-2h', '--to', '-3h', '--dry-run'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(
      /Error \[INVALID_FLAG\]: --to -3h \(\S+Z\) is before --from -2h \(\S+Z\): a replay covers \[from, to\)/,
    )
    const words = await runCli(['replay', '--from', 'yesterday', '--dry-run'])
    expect(words.exitCode).toBe(2)
    expect(words.stderr).toContain('--from yesterday: expected beginning, end, an offset')
  })

  it('does not load ink, React or the data clients for --help', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-trace-'))
    const trace = path.join(dir, 'modules.txt')
    try {
      const result = await runCli(['--help'], {
        nodeArgs: ['--import', path.join(ROOT, 'test/helpers/trace-imports.mjs')],
        env: {TRACE_IMPORTS_FILE: trace},
      })
      expect(result.exitCode).toBe(0)
      const loaded = await readFile(trace, 'utf8')
      expect(loaded).toContain('@oclif/core')
      for (const heavy of [
        'ink',
        'react',
        'kafkajs',
        'pg',
        'ioredis',
        'amqplib',
        'undici',
        'hdr-histogram-js',
        'ajv',
        'yaml',
      ]) {
        expect(loaded, heavy).not.toMatch(new RegExp(`/node_modules/${heavy}/`))
      }
      expect(loaded).not.toMatch(/\/dist\/commands\//)
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })
})

describe('stack manifest errors', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-e2e-stack-'))
    await cp(path.join(ROOT, 'stacks/reference'), dir, {recursive: true})
  })
  afterAll(() => rm(dir, {recursive: true, force: true}))

  it('reports a wrong type as stack.yaml:LINE:COL and exits 2', async () => {
    const file = path.join(dir, 'stack.yaml')
    const lines = (await readFile(file, 'utf8')).split('\n')
    const index = lines.findIndex((line) => line.trim() === 'partitions: 3')
    lines[index] = lines[index]!.replace('3', '"three"')
    await writeFile(file, lines.join('\n'))
    for (const args of [
      ['validate', '--stack', dir],
      ['doctor', '--stack', dir],
    ]) {
      const result = await runCli(args)
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toContain(
        `stack.yaml:${index + 1}:17: topics[1].partitions: expected an integer, got "three"`,
      )
    }
    const json = await runCli(['validate', '--json'], {env: {STREAMCTL_STACK: dir}})
    expect(json.exitCode).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: {code: 'MANIFEST_INVALID', details: {problems: [{line: index + 1, col: 17}]}},
    })
  })

  it('exits 2 when the stack directory has no stack.yaml', async () => {
    const result = await runCli(['validate', '--stack', os.tmpdir()])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Error [STACK_NOT_FOUND]')
  })
})

describe('streamctl doctor', () => {
  /** Whether a Docker engine answers on this machine, asked independently of streamctl. */
  async function dockerEngineAnswers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect('/var/run/docker.sock')
      socket.on('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
  }

  it('reports the running servers, the Docker engine and the free stack ports', async () => {
    const result = await runCli(['doctor', '--json'])
    const report = JSON.parse(result.stdout) as {
      ok: boolean
      autoDriver: string
      findings: Array<{id: string; status: string; detail: string; fix?: {command: string}}>
    }
    const byId = new Map(report.findings.map((finding) => [finding.id, finding]))
    for (const server of ['postgres', 'redis', 'rabbitmq']) {
      expect(byId.get(`server.${server}`), server).toMatchObject({
        status: 'ok',
        detail: expect.stringContaining('answers'),
      })
    }
    expect(byId.get('server.postgres')!.detail).toMatch(/^PostgreSQL \d+/)
    expect(byId.get('server.rabbitmq')!.detail).toMatch(/^RabbitMQ \d+/)
    const engine = byId.get('docker.engine')!
    if (await dockerEngineAnswers()) {
      expect(engine.status).toBe('ok')
    } else {
      expect(engine.status).toBe('warn')
      expect(engine.detail).toMatch(/no engine answers|no docker client/)
      expect(engine.fix?.command).toMatch(/--driver local/)
      expect(report.autoDriver).toBe('local')
    }
    expect(byId.get('node')!.status).toBe('ok')
    expect(byId.get('port.8080')).toBeDefined()
    expect(result.exitCode).toBe(report.ok ? 0 : 1)
  })

  it('prints a readable report with the fix for each problem', async () => {
    const result = await runCli(['doctor'])
    expect(result.stdout).toMatch(/ok\s+PostgreSQL on 127\.0\.0\.1:5432\s+PostgreSQL \d+/)
    expect(result.stdout).toMatch(/ok\s+Redis on 127\.0\.0\.1:6379/)
    expect(result.stdout).toMatch(/ok\s+RabbitMQ on 127\.0\.0\.1:5672/)
    expect(result.stdout).toMatch(/Docker engine/)
    expect(result.stdout).toMatch(/--driver auto will use: (local|compose)/)
  })

  it('reports a port the stack needs that another process holds', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(8088, '127.0.0.1', resolve))
    try {
      const result = await runCli(['doctor', '--json'])
      const report = JSON.parse(result.stdout) as {
        ok: boolean
        findings: Array<{id: string; status: string; detail: string; fix?: {command: string}}>
      }
      const finding = report.findings.find((candidate) => candidate.id === 'port.8088')!
      expect(finding.status).toBe('fail')
      expect(finding.detail).toMatch(/in use by node \(pid \d+\)/)
      expect(finding.fix?.command).toContain('components.tagger.port')
      expect(report.ok).toBe(false)
      expect(result.exitCode).toBe(1)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})
