// The external driver: streamctl starts nothing, checks every endpoint it is given.
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
    const up = await runCli(['up', '--driver', 'external', '--stack', stack.dir, '--database-url', 'postgres://postgres@127.0.0.1:5432/postgres', '--redis-url', 'redis://127.0.0.1:6379', '--json'], {
      env: {...stack.env, AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672/'},
    })
    expect(up.exitCode, up.stderr).toBe(0)
    const result = JSON.parse(up.stdout) as {components: Array<{action: string}>; endpoints: {amqpUrl: string}}
    expect(result.components.every((component) => component.action === 'checked')).toBe(true)
    expect(result.endpoints.amqpUrl).toBe('amqp://guest:guest@127.0.0.1:5672/')
    const status = await runCli(['status', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(JSON.parse(status.stdout)).toMatchObject({driver: 'external', healthy: true})
    const down = await runCli(['down', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(JSON.parse(down.stdout)).toMatchObject({components: expect.arrayContaining([expect.objectContaining({action: 'kept'})])})
  })

  it('names the missing flag, and exits 3 naming an endpoint that does not answer', async () => {
    const missing = await runCli(['up', '--driver', 'external', '--stack', stack.dir, '--redis-url', 'redis://127.0.0.1:6379'], {env: {...stack.env, DATABASE_URL: '', AMQP_URL: ''}})
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toContain('the external driver needs --database-url (DATABASE_URL) for component "postgres"')
    const down = await runCli(['up', '--driver', 'external', '--stack', stack.dir, '--database-url', 'postgres://postgres@127.0.0.1:1/x', '--redis-url', 'redis://127.0.0.1:6379', '--amqp-url', 'amqp://127.0.0.1:5672'], {env: stack.env})
    expect(down.exitCode).toBe(3)
    expect(down.stderr).toContain('postgres at 127.0.0.1:1: connection refused')
  })
})
