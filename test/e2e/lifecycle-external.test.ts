// The external driver: streamctl starts nothing, checks every endpoint it is given, and records the
// admin token the user's gateway runs with.
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'

describe('external driver', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await makeTestStack({keep: ['postgres', 'redis', 'rabbitmq']})
  })
  afterAll(() => stack.cleanup())

  it('checks the given endpoints and records them, starting nothing', async () => {
    const up = await runCli(
      [
        'up',
        '--driver',
        'external',
        '--stack',
        stack.dir,
        '--database-url',
        'postgres://postgres@127.0.0.1:5432/postgres',
        '--redis-url',
        'redis://127.0.0.1:6379',
        '--json',
      ],
      {
        env: {...stack.env, AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672/'},
      },
    )
    expect(up.exitCode, up.stderr).toBe(0)
    const result = JSON.parse(up.stdout) as {components: Array<{action: string}>; endpoints: {amqpUrl: string}}
    expect(result.components.every((component) => component.action === 'checked')).toBe(true)
    expect(result.endpoints.amqpUrl).toBe('amqp://guest:guest@127.0.0.1:5672/')
    const status = await runCli(['status', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(JSON.parse(status.stdout)).toMatchObject({driver: 'external', healthy: true})
    const down = await runCli(['down', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(JSON.parse(down.stdout)).toMatchObject({
      components: expect.arrayContaining([expect.objectContaining({action: 'kept'})]),
    })
  })

  it('records the admin token given by --admin-token or STREAMCTL_ADMIN_TOKEN (mode 0600), and keeps it when none is given', async () => {
    const flags = [
      'up',
      '--driver',
      'external',
      '--stack',
      stack.dir,
      '--database-url',
      'postgres://postgres@127.0.0.1:5432/postgres',
      '--redis-url',
      'redis://127.0.0.1:6379',
      '--amqp-url',
      'amqp://guest:guest@127.0.0.1:5672/',
      '--json',
    ]
    const tokenFile = path.join(stack.stateRoot, stack.name, 'admin-token')
    const recorded = async () => (await readFile(tokenFile, 'utf8')).trim()
    const byFlag = await runCli([...flags, '--admin-token', 'from-the-flag'], {
      env: {...stack.env, STREAMCTL_ADMIN_TOKEN: 'from-the-env'},
    })
    expect(byFlag.exitCode, byFlag.stderr).toBe(0)
    expect((JSON.parse(byFlag.stdout) as {adminTokenFile: string}).adminTokenFile).toBe(tokenFile)
    expect(await recorded()).toBe('from-the-flag')
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600)
    expect((await runCli(flags, {env: {...stack.env, STREAMCTL_ADMIN_TOKEN: 'from-the-env'}})).exitCode).toBe(0)
    expect(await recorded()).toBe('from-the-env')
    const without = await runCli(flags, {env: {...stack.env, STREAMCTL_ADMIN_TOKEN: ''}})
    expect(without.exitCode, without.stderr).toBe(0)
    expect(await recorded()).toBe('from-the-env')
    // down forgets the endpoints, not the token (as it keeps credentials.json).
    expect((await runCli(['down', '--stack', stack.dir], {env: stack.env})).exitCode).toBe(0)
    expect(await recorded()).toBe('from-the-env')
  })

  it('names the missing flag, and exits 3 naming an endpoint that does not answer', async () => {
    const missing = await runCli(
      ['up', '--driver', 'external', '--stack', stack.dir, '--redis-url', 'redis://127.0.0.1:6379'],
      {env: {...stack.env, DATABASE_URL: '', AMQP_URL: ''}},
    )
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('the external driver needs --database-url (DATABASE_URL) for component "postgres"')
    const down = await runCli(
      [
        'up',
        '--driver',
        'external',
        '--stack',
        stack.dir,
        '--database-url',
        'postgres://postgres@127.0.0.1:1/x',
        '--redis-url',
        'redis://127.0.0.1:6379',
        '--amqp-url',
        'amqp://127.0.0.1:5672',
      ],
      {env: stack.env},
    )
    expect(down.exitCode).toBe(3)
    expect(down.stderr).toContain('postgres at 127.0.0.1:1: connection refused')
  })
})
