import {describe, expect, it} from 'vitest'
import {checkNode, type Finding} from '../../src/lib/doctor/checks.js'
import {planFixes} from '../../src/lib/doctor/fix.js'

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
      {id: 'binary.kcat', area: 'binary', title: 'kcat', status: 'warn', detail: '', fix: {command: 'apt-get install -y kcat', packages: ['kcat']}},
      {id: 'server.redis', area: 'server', title: 'Redis', status: 'fail', detail: '', fix: {command: '…', packages: ['redis-server'], start: ['redis-server', '--daemonize', 'yes']}},
      {id: 'binary.redis-server', area: 'binary', title: 'redis-server', status: 'warn', detail: '', fix: {command: '…', packages: ['redis-server']}},
      {id: 'docker.engine', area: 'docker', title: 'Docker engine', status: 'warn', detail: '', fix: {command: 'install Docker'}},
      {id: 'node', area: 'runtime', title: 'Node', status: 'ok', detail: ''},
    ]
    const plan = planFixes(findings)
    expect(plan.packages).toEqual(['kcat', 'redis-server'])
    expect(plan.starts).toEqual([['redis-server', '--daemonize', 'yes']])
    expect(plan.manual.map((finding) => finding.id)).toEqual(['docker.engine'])
  })
})
