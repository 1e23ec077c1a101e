import {describe, expect, it} from 'vitest'
import {checkNode, checkStack, type DoctorReport} from '../../src/lib/doctor/checks.js'
import type {Finding} from '../../src/lib/doctor/finding.js'
import {planFixes} from '../../src/lib/doctor/fix.js'
import {formatDoctorReport} from '../../src/lib/doctor/format.js'
import {portHolder, type RunningStack} from '../../src/lib/doctor/stack-ports.js'
import {styler} from '../../src/lib/ui/style.js'

describe('checkNode', () => {
  it('accepts 20.18.1 and newer, and names the fix otherwise', () => {
    expect(checkNode('20.18.1').status).toBe('ok')
    expect(checkNode('20.20.2').status).toBe('ok')
    expect(checkNode('22.0.0').status).toBe('ok')
    expect(checkNode('24.1.0').status).toBe('ok')
    const old = checkNode('20.18.0')
    expect(old.status).toBe('fail')
    expect(old.fix?.command).toMatch(/install Node\.js 20\.18\.1 or newer/)
    expect(checkNode('18.20.4').status).toBe('fail')
  })
})

describe('planFixes', () => {
  it('collects packages once, start commands in order, and leaves the rest to the user', () => {
    const findings: Finding[] = [
      {
        id: 'binary.kcat',
        area: 'binary',
        title: 'kcat',
        status: 'warn',
        detail: '',
        fix: {command: 'apt-get install -y kcat', packages: ['kcat']},
      },
      {
        id: 'server.redis',
        area: 'server',
        title: 'Redis',
        status: 'fail',
        detail: '',
        fix: {command: '…', packages: ['redis-server'], start: ['redis-server', '--daemonize', 'yes']},
      },
      {
        id: 'binary.redis-server',
        area: 'binary',
        title: 'redis-server',
        status: 'warn',
        detail: '',
        fix: {command: '…', packages: ['redis-server']},
      },
      {
        id: 'docker.engine',
        area: 'docker',
        title: 'Docker engine',
        status: 'warn',
        detail: '',
        fix: {command: 'install Docker'},
      },
      {id: 'node', area: 'runtime', title: 'Node', status: 'ok', detail: ''},
    ]
    const plan = planFixes(findings)
    expect(plan.packages).toEqual(['kcat', 'redis-server'])
    expect(plan.starts).toEqual([['redis-server', '--daemonize', 'yes']])
    expect(plan.manual.map((finding) => finding.id)).toEqual(['docker.engine'])
  })
})

describe('ports of the running stack', () => {
  const stack: RunningStack = {
    name: 'reference',
    driver: 'local',
    processes: 2,
    running: 2,
    ports: [
      {component: 'gateway', port: 8080, pid: 10837, processIds: [10837], published: false},
      {component: 'tagger', port: 8088, pid: 10840, processIds: [10840, 10855], published: false},
      {component: 'tagger', port: 50051, pid: 10840, processIds: [10840, 10855], published: false},
      {component: 'worker', port: 8085, processIds: [], published: false},
      {component: 'kafka', port: 9092, processIds: [], published: true},
    ],
  }

  it('belong to the stack when its own process, or one it started, listens on them', () => {
    expect(portHolder(8080, {pid: 10837, command: 'node'}, stack)).toMatchObject({component: 'gateway', pid: 10837})
    expect(portHolder(50051, {pid: 10855, command: 'node'}, stack)).toMatchObject({component: 'tagger', pid: 10840})
    expect(portHolder(9092, {pid: 3000, command: 'docker-proxy'}, stack)).toMatchObject({component: 'kafka'})
  })

  it('belong to someone else when another process listens, or the recorded one has stopped', () => {
    expect(portHolder(8080, {pid: 4242, command: 'node'}, stack)).toBeUndefined()
    expect(portHolder(8085, {pid: 10900, command: 'node'}, stack)).toBeUndefined()
    expect(portHolder(8080, undefined, stack)).toBeUndefined()
    expect(portHolder(8080, {pid: 10837, command: 'node'}, undefined)).toBeUndefined()
    expect(portHolder(9092, {pid: 3000, command: 'java'}, stack)).toBeUndefined()
  })

  it('name the stack, and warn when some of its processes have stopped', () => {
    expect(checkStack('reference', undefined, '/s/state.json')).toMatchObject({
      status: 'ok',
      detail: 'not up (no /s/state.json)',
    })
    expect(checkStack('reference', stack, '/s/state.json')).toMatchObject({
      title: 'stack "reference"',
      status: 'ok',
      detail: 'up with the local driver, 2 of 2 processes running (state: /s/state.json)',
    })
    const stopped = checkStack('reference', {...stack, running: 1}, '/s/state.json')
    expect(stopped).toMatchObject({status: 'warn', detail: expect.stringContaining('1 of 2 processes running')})
    expect(stopped.fix?.command).toMatch(/streamctl down.*streamctl up/)
  })
})

describe('the doctor report', () => {
  const report = (localUsable: boolean): DoctorReport => ({
    findings: [
      {
        id: 'port.8080',
        area: 'port',
        title: 'port 8080 (gateway)',
        status: 'ok',
        detail: 'in use by this stack (gateway, pid 10837)',
        heldByStack: {component: 'gateway', pid: 10837},
      },
    ],
    drivers: {
      local: {usable: localUsable, reason: localUsable ? 'ports free or held by the stack' : 'port 8081 (registry)'},
      compose: {usable: false, reason: 'no Docker engine answers'},
    },
    autoDriver: 'local',
    ok: localUsable,
  })

  it('never says auto will use a driver without saying it is not usable', () => {
    const style = styler(false)
    expect(formatDoctorReport(report(true), style)).toMatch(/--driver auto will use: local$/)
    expect(formatDoctorReport(report(false), style)).toMatch(
      /--driver auto will use: local, which is not usable until the failures above are fixed$/,
    )
    expect(formatDoctorReport(report(true), style)).toContain(
      'ok    port 8080 (gateway)  in use by this stack (gateway, pid 10837)',
    )
  })
})
