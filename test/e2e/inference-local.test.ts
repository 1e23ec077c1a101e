// The inference services as a user deploys them: `streamctl up --driver local` starts llm-sim,
// worker, collector and gateway as `streamctl serve <name>` processes on the shared PostgreSQL,
// Redis and RabbitMQ, the gateway with the admin token `up` made (kept, mode 0600, for the next
// `up`); after migrations and the seed, a generate goes end to end; `down` stops them.
import {readFile, stat} from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {applyMigrations} from '../../src/lib/provision/migrations.js'
import {seedAccounts} from '../../src/lib/provision/seed.js'
import {loadStack} from '../../src/lib/stack/load-stack.js'
import {runCli} from '../helpers/cli.js'
import {eventually} from '../helpers/services.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'

const KEEP = ['postgres', 'redis', 'rabbitmq', 'llm-sim', 'worker', 'collector', 'gateway']

describe('inference services on the local driver', () => {
  let stack: TestStack
  beforeAll(async () => {
    stack = await makeTestStack({keep: KEEP})
  })
  afterAll(async () => {
    await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env})
    await stack.cleanup()
  })

  it('comes up healthy, serves a generate to completion, and goes down with its data', async () => {
    const up = await runCli(['up', '--driver', 'local', '--stack', stack.dir, '--json'], {
      env: stack.env,
      timeoutMs: 120_000,
    })
    expect(up.exitCode, up.stdout + up.stderr).toBe(0)
    const result = JSON.parse(up.stdout) as {
      endpoints: {databaseUrl: string; services: Record<string, string>}
      adminTokenFile: string
    }
    const gateway = result.endpoints.services.gateway!

    // The admin token: made by up, private to the user, and the only key to the gateway's admin API.
    const stateDir = path.join(stack.stateRoot, stack.name)
    expect(result.adminTokenFile).toBe(path.join(stateDir, 'admin-token'))
    expect((await stat(result.adminTokenFile)).mode & 0o777).toBe(0o600)
    expect((await stat(stateDir)).mode & 0o777).toBe(0o700)
    const token = (await readFile(result.adminTokenFile, 'utf8')).trim()
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const switches = `${gateway}/admin/switches`
    expect((await fetch(switches)).status).toBe(401)
    expect((await fetch(switches, {headers: {authorization: `Bearer ${token.slice(1)}`}})).status).toBe(401)
    expect((await fetch(switches, {headers: {authorization: `Bearer ${token}`}})).status).toBe(200)
    // A second up keeps it, and the running gateway with it.
    const again = await runCli(['up', '--driver', 'local', '--stack', stack.dir, '--json'], {
      env: stack.env,
      timeoutMs: 120_000,
    })
    expect(again.exitCode, again.stderr).toBe(0)
    expect((JSON.parse(again.stdout) as {changed: boolean}).changed).toBe(false)
    expect((await readFile(result.adminTokenFile, 'utf8')).trim()).toBe(token)

    const {manifest} = await loadStack(stack.dir)
    const client = new pg.Client({connectionString: result.endpoints.databaseUrl})
    await client.connect()
    let apiKey: string
    try {
      await applyMigrations(client, path.join(stack.dir, manifest.migrations))
      const seeded = await seedAccounts(client, {...manifest.quotas, seed: {...manifest.quotas.seed, users: 3}})
      apiKey = seeded.users[0]!.apiKey
    } finally {
      await client.end()
    }

    const accepted = await fetch(`${gateway}/v1/generate`, {
      method: 'POST',
      headers: {authorization: `Bearer ${apiKey}`, 'content-type': 'application/json'},
      body: JSON.stringify({prompt: 'One sentence about streams.', max_tokens: 16}),
    })
    expect(accepted.status).toBe(202)
    const {status_url: statusUrl} = (await accepted.json()) as {status_url: string}
    const done = await eventually(
      async () => {
        const body = (await (
          await fetch(`${gateway}${statusUrl}`, {headers: {authorization: `Bearer ${apiKey}`}})
        ).json()) as {status: string; usage?: {total_tokens: number}}
        return body.status === 'completed' ? body : undefined
      },
      30_000,
      'the generate to complete',
    )
    expect(done.usage!.total_tokens).toBeGreaterThan(0)

    const metrics = await (await fetch(`${result.endpoints.services.worker}/metrics`)).text()
    expect(metrics).toMatch(/streamctl_tokens_processed_total\{kind="completion"\} [1-9]/)

    const down = await runCli(['down', '--volumes', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(down.exitCode).toBe(0)
    expect(
      await fetch(`${gateway}/healthz`).then(
        (response) => response.status,
        () => 0,
      ),
    ).toBe(0)
    // --volumes deletes the state directory, the token with it, as it does credentials.json.
    await expect(stat(result.adminTokenFile)).rejects.toMatchObject({code: 'ENOENT'})
    const admin = new pg.Client({host: '127.0.0.1', user: 'postgres', database: 'postgres'})
    await admin.connect()
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [stack.name])
    await admin.end()
    expect(left.rowCount).toBe(0)
  }, 240_000)
})
