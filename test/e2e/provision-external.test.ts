// `provision` on the external driver: it works on exactly the endpoints `up --driver external`
// checked — here a broker process, a database and a vhost of this file's own.
import amqp from 'amqplib'
import {Kafka, logLevel} from 'kafkajs'
import {readdir} from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {ProvisionResult} from '../../src/lib/provision/provision.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {runCli} from '../helpers/cli.js'
import {
  createTestDatabase,
  createTestVhost,
  dropRedisPrefix,
  type TestDatabase,
  type TestVhost,
} from '../helpers/infra.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'

describe('provision on the external driver', {timeout: 180_000}, () => {
  let stack: TestStack
  let broker: BrokerProcess
  let database: TestDatabase
  let vhost: TestVhost

  beforeAll(async () => {
    ;[stack, broker, database, vhost] = await Promise.all([
      makeTestStack({keep: ['kafka', 'postgres', 'redis', 'rabbitmq']}),
      startBrokerProcess(),
      createTestDatabase('sctl_prov_ext'),
      createTestVhost('sctl_prov_ext'),
    ])
  })
  afterAll(async () => {
    await runCli(['down', '--stack', stack.dir], {env: stack.env})
    await Promise.all([
      broker?.cleanup(),
      database?.drop(),
      vhost?.drop(),
      dropRedisPrefix('redis://127.0.0.1:6379', `${stack.name}:`),
    ])
    await stack.cleanup()
  })

  it('provisions the brokers, database and vhost that up checked', async () => {
    const notUp = await runCli(['provision', '--stack', stack.dir], {env: stack.env})
    expect(notUp.exitCode).toBe(3)
    expect(notUp.stderr).toContain(`Error [STACK_NOT_READY]: stack "${stack.name}" is not up`)

    const up = await runCli(
      [
        'up',
        '--driver',
        'external',
        '--stack',
        stack.dir,
        '--kafka-brokers',
        broker.bootstrap,
        '--database-url',
        database.url,
        '--redis-url',
        'redis://127.0.0.1:6379',
        '--amqp-url',
        vhost.url,
      ],
      {env: stack.env},
    )
    expect(up.exitCode, up.stderr).toBe(0)

    const run = await runCli(['provision', '--stack', stack.dir, '--json'], {env: stack.env, timeoutMs: 120_000})
    expect(run.exitCode, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout) as ProvisionResult
    expect(result).toMatchObject({driver: 'external', changed: true})
    // No registry in this stack: schemas are listed as skipped, not silently dropped.
    expect(result.plan.filter((change) => change.kind === 'schema').map((change) => change.action)).toEqual([
      'skip',
      'skip',
    ])

    const admin = new Kafka({brokers: broker.brokers, logLevel: logLevel.NOTHING}).admin()
    await admin.connect()
    const metadata = await admin.fetchTopicMetadata({topics: ['user-events']})
    await admin.disconnect()
    expect(metadata.topics[0]!.partitions).toHaveLength(6)

    const client = new pg.Client({connectionString: database.url})
    await client.connect()
    const migrations = await client.query<{count: string}>('SELECT count(*) FROM schema_migrations')
    await client.end()
    // Every migration file of the stack was applied, once.
    const files = (await readdir(path.join(stack.dir, 'migrations'))).filter((file) => file.endsWith('.sql'))
    expect(migrations.rows[0]!.count).toBe(String(files.length))

    const connection = await amqp.connect(vhost.url)
    const channel = await connection.createChannel()
    expect((await channel.checkQueue('inference_requests.dlq')).queue).toBe('inference_requests.dlq')
    expect((await channel.checkQueue('tagging_jobs.dlq')).queue).toBe('tagging_jobs.dlq')
    await connection.close()

    const again = await runCli(['provision', '--stack', stack.dir, '--json'], {env: stack.env, timeoutMs: 120_000})
    expect(again.exitCode, again.stderr).toBe(0)
    expect((JSON.parse(again.stdout) as ProvisionResult).changed).toBe(false)
  })
})
