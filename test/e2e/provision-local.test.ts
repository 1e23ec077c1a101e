// `up` (local driver: embedded broker, schema registry, and this machine's PostgreSQL, Redis and
// RabbitMQ in a database and vhost of their own) → `provision --dry-run` → `provision` →
// `provision` again → `down`, through the built CLI, checking every resource with its own client.
import amqp from 'amqplib'
import {Kafka, logLevel} from 'kafkajs'
import {readdir, readFile, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import {parseDocument} from 'yaml'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {commitGroupOffsets} from '../../src/lib/kafka/group-commit.js'
import type {ProvisionResult} from '../../src/lib/provision/provision.js'
import type {TopicDescription} from '../../src/lib/kafka/topics.js'
import type {Credentials} from '../../src/lib/stack/credentials.js'
import type {StackState} from '../../src/lib/stack/state.js'
import {isPortFree} from '../../src/lib/host/ports.js'
import {parseApiKey} from '../../src/lib/stack/credentials.js'
import {runCli} from '../helpers/cli.js'
import {makeTestStack, type TestStack} from '../helpers/stacks.js'
import {isAlive} from '../../src/lib/host/processes.js'

const MANIFEST_TOPICS = ['content-announcements', 'content-events', 'user-events']
const QUEUES = [
  'inference_requests',
  'inference_results',
  'recommendation_refresh',
  'tagging_jobs',
  'inference_requests.dlq',
  'inference_results.dlq',
  'tagging_jobs.dlq',
]

describe('provision on the local driver', {timeout: 180_000}, () => {
  let stack: TestStack
  let state: StackState
  const provision = (...args: string[]) =>
    runCli(['provision', '--stack', stack.dir, ...args], {env: stack.env, timeoutMs: 120_000})

  const kafkaTopics = async () => {
    const admin = new Kafka({brokers: state.endpoints.kafkaBrokers, logLevel: logLevel.NOTHING}).admin()
    await admin.connect()
    try {
      return (await admin.listTopics()).sort()
    } finally {
      await admin.disconnect()
    }
  }
  // The manifest's migration files, by id: the plan and the run must cover every one of them.
  const migrationIds = async () =>
    (await readdir(path.join(stack.dir, 'migrations')))
      .filter((file) => file.endsWith('.sql'))
      .map((file) => file.replace(/\.sql$/, ''))
      .sort()
  const subjects = async () => (await (await fetch(`${state.endpoints.schemaRegistryUrl}/subjects`)).json()) as string[]
  const sql = async <T extends pg.QueryResultRow>(text: string) => {
    const client = new pg.Client({connectionString: state.endpoints.databaseUrl})
    await client.connect()
    try {
      return (await client.query<T>(text)).rows
    } finally {
      await client.end()
    }
  }
  const queueExists = async (name: string) => {
    const connection = await amqp.connect(state.endpoints.amqpUrl)
    try {
      const channel = await connection.createChannel()
      channel.on('error', () => {}) // a missing queue closes the channel; checkQueue's rejection reports it
      return await channel.checkQueue(name).then(
        () => true,
        () => false,
      )
    } finally {
      await connection.close().catch(() => {}) // cleanup after the assertions; a closed connection is fine
    }
  }

  beforeAll(async () => {
    stack = await makeTestStack({keep: ['kafka', 'schema-registry', 'postgres', 'redis', 'rabbitmq']})
    const up = await runCli(['up', '--driver', 'local', '--stack', stack.dir], {env: stack.env, timeoutMs: 180_000})
    expect(up.exitCode, up.stderr).toBe(0)
    state = JSON.parse(await readFile(path.join(stack.stateRoot, stack.name, 'state.json'), 'utf8')) as StackState
  })
  afterAll(async () => {
    // Already down when the last test passed; this cleans up after a failure.
    await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env})
    await stack.cleanup()
  })

  it('--dry-run lists every resource it would create and creates nothing', async () => {
    const status = await runCli(['status', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(status.exitCode, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({up: true, healthy: true})

    const dryRun = await provision('--dry-run', '--json')
    expect(dryRun.exitCode, dryRun.stderr).toBe(0)
    const result = JSON.parse(dryRun.stdout) as ProvisionResult
    expect(result).toMatchObject({dryRun: true, changed: false, applied: [], driver: 'local'})
    const planned = (kind: string) =>
      result.plan
        .filter((change) => change.kind === kind)
        .map((change) => `${change.name}:${change.action}`)
        .sort()
    expect(planned('topic')).toEqual(MANIFEST_TOPICS.map((name) => `${name}:create`))
    expect(planned('schema')).toEqual(['content-events-value:create', 'user-events-value:create'])
    expect(planned('queue')).toEqual(QUEUES.map((name) => `${name}:create`).sort())
    expect(planned('binding')).toEqual([
      'inference_requests → inference_requests.dlq:create',
      'inference_results → inference_results.dlq:create',
      'tagging_jobs → tagging_jobs.dlq:create',
    ])
    expect(planned('migration')).toEqual((await migrationIds()).map((id) => `${id}:apply`))
    expect(planned('tier')).toEqual(['enterprise:create', 'free:create', 'pro:create'])
    expect(result.plan.find((change) => change.kind === 'users')).toMatchObject({action: 'create', detail: '1000 new'})
    expect(result.plan.find((change) => change.kind === 'api-keys')).toMatchObject({
      action: 'create',
      detail: expect.stringContaining('1000 new'),
    })

    expect((await kafkaTopics()).filter((topic) => MANIFEST_TOPICS.includes(topic))).toEqual([])
    expect(await subjects()).toEqual([])
    expect(await sql<{present: boolean}>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")).toEqual([
      {present: false},
    ])
    for (const queue of QUEUES) expect(await queueExists(queue), queue).toBe(false)
    await expect(stat(path.join(stack.stateRoot, stack.name, 'credentials.json'))).rejects.toThrow()
  })

  it('applies the plan, says what changed and prints the demo key once', async () => {
    const run = await provision()
    expect(run.exitCode, run.stderr).toBe(0)
    const migrations = (await migrationIds()).length
    expect(run.stdout).toContain(
      `applied ${20 + migrations} changes: 3 topics, 2 schemas, 7 queues, 3 bindings, ${migrations} migrations, 3 tiers, users (1000 new), API keys (1000 new (hashed at rest)).`,
    )
    const demoKey = /demo API key \(user-00001, tier \w+\) — shown once:\n {2}(sctl_\S+)/.exec(run.stdout)?.[1]
    expect(demoKey).toBeDefined()

    expect((await kafkaTopics()).filter((topic) => MANIFEST_TOPICS.includes(topic))).toEqual(MANIFEST_TOPICS)
    const described = await runCli(['topics', 'describe', 'user-events', '--stack', stack.dir, '--json'], {
      env: stack.env,
    })
    expect(described.exitCode, described.stderr).toBe(0)
    const userEvents = JSON.parse(described.stdout) as TopicDescription
    expect(userEvents.partitions).toBe(6)
    expect(Object.fromEntries(userEvents.configs.map((config) => [config.name, config.value]))).toMatchObject({
      'retention.ms': '604800000',
      'segment.bytes': '67108864',
      'cleanup.policy': 'delete',
    })
    expect((await subjects()).sort()).toEqual(['content-events-value', 'user-events-value'])
    expect(await sql<{count: string}>('SELECT count(*) FROM schema_migrations')).toEqual([{count: String(migrations)}])
    expect(await sql<{count: string}>('SELECT count(*) FROM users')).toEqual([{count: '1000'}])
    expect((await sql<{name: string}>('SELECT name FROM tiers ORDER BY name')).map((row) => row.name)).toEqual([
      'enterprise',
      'free',
      'pro',
    ])

    const credentialsFile = path.join(stack.stateRoot, stack.name, 'credentials.json')
    expect((await stat(credentialsFile)).mode & 0o777).toBe(0o600)
    const credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as Credentials
    expect(credentials.users).toHaveLength(1000)
    expect(credentials.users[0]!.apiKey).toBe(demoKey)
    // Only hashes are stored: the key's secret is nowhere in the database.
    // The key parser, not split('_'): a base64url secret may itself contain '_'.
    const secret = parseApiKey(demoKey!)!.secret
    expect(secret.length).toBeGreaterThan(16)
    expect(
      await sql<{count: string}>(`SELECT count(*) FROM api_keys WHERE encode(key_hash, 'escape') LIKE '%${secret}%'`),
    ).toEqual([{count: '0'}])

    // The dead-letter binding works: a message rejected from inference_requests lands in its DLQ.
    const connection = await amqp.connect(state.endpoints.amqpUrl)
    try {
      const channel = await connection.createChannel()
      channel.sendToQueue('inference_requests', Buffer.from('poison'), {priority: 5})
      let message: amqp.GetMessage | false = false
      for (let attempt = 0; attempt < 50 && !message; attempt++) {
        message = await channel.get('inference_requests')
        if (!message) await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(message).not.toBe(false)
      channel.nack(message as amqp.GetMessage, false, false)
      let dead: amqp.GetMessage | false = false
      for (let attempt = 0; attempt < 50 && !dead; attempt++) {
        dead = await channel.get('inference_requests.dlq', {noAck: true})
        if (!dead) await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(dead && dead.content.toString()).toBe('poison')
    } finally {
      await connection.close()
    }
  })

  it('a second run changes nothing and prints no key', async () => {
    const again = await provision('--json')
    expect(again.exitCode, again.stderr).toBe(0)
    const result = JSON.parse(again.stdout) as ProvisionResult
    expect(result.changed).toBe(false)
    expect(result.applied).toEqual([])
    expect(result.plan.filter((change) => change.action !== 'none')).toEqual([])
    expect(result.demoUser).toBeUndefined()
    const human = await provision()
    expect(human.stdout).toContain('nothing to change: the stack already matches its manifest.')
    expect(human.stdout).not.toContain('sctl_')
  })

  it('raises partitions and alters the configs the manifest changes, keeping the other overrides', async () => {
    const file = path.join(stack.dir, 'stack.yaml')
    const doc = parseDocument(await readFile(file, 'utf8'))
    doc.setIn(['topics', 2, 'partitions'], 3)
    doc.setIn(['topics', 2, 'configs', 'retention.ms'], 172800000)
    await writeFile(file, doc.toString())
    const changed = await provision('--json')
    expect(changed.exitCode, changed.stderr).toBe(0)
    expect((JSON.parse(changed.stdout) as ProvisionResult).applied).toEqual([
      {
        kind: 'topic',
        name: 'content-announcements',
        action: 'update',
        detail: 'partitions 1 → 3, retention.ms 86400000 → 172800000',
      },
    ])
    const admin = new Kafka({brokers: state.endpoints.kafkaBrokers, logLevel: logLevel.NOTHING}).admin()
    await admin.connect()
    try {
      const metadata = await admin.fetchTopicMetadata({topics: ['content-announcements']})
      expect(metadata.topics[0]!.partitions).toHaveLength(3)
      const described = await admin.describeConfigs({
        resources: [{type: 2, name: 'content-announcements', configNames: ['retention.ms', 'cleanup.policy']}],
        includeSynonyms: false,
      })
      expect(
        Object.fromEntries(described.resources[0]!.configEntries.map((entry) => [entry.configName, entry.configValue])),
      ).toEqual({'retention.ms': '172800000', 'cleanup.policy': 'delete'})
    } finally {
      await admin.disconnect()
    }
  })

  it('shows consumer lag per group in status once groups commit on the provisioned topics', async () => {
    const kafka = new Kafka({brokers: state.endpoints.kafkaBrokers, logLevel: logLevel.NOTHING})
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'user-events',
      messages: Array.from({length: 5}, (_, index) => ({partition: 0, value: `event-${index}`})),
    })
    await producer.disconnect()
    await commitGroupOffsets(kafka, 'lagging-reader', [
      {topic: 'user-events', partition: 0, target: 2, earliest: 0, latest: 5},
    ])
    const status = await runCli(['status', '--stack', stack.dir, '--json'], {env: stack.env})
    expect(status.exitCode, status.stderr).toBe(0)
    expect((JSON.parse(status.stdout) as {gauges: {consumerLag: unknown[]}}).gauges.consumerLag).toContainEqual({
      group: 'lagging-reader',
      topic: 'user-events',
      lag: 3,
    })
  })

  it('applies nothing when any part of the plan conflicts with the stack', async () => {
    const file = path.join(stack.dir, 'stack.yaml')
    const original = await readFile(file, 'utf8')
    try {
      const doc = parseDocument(original)
      doc.setIn(['topics', 0, 'partitions'], 2)
      doc.addIn(['topics'], {name: 'late-topic', partitions: 1})
      // RabbitMQ keeps the storage mode the queue was declared with, and cannot change it in place.
      doc.setIn(['queues', 0, 'mode'], 'default')
      await writeFile(file, doc.toString())
      const conflicted = await provision('--json')
      expect(conflicted.exitCode).toBe(1)
      const error = (JSON.parse(conflicted.stdout) as {error: {code: string; message: string}}).error
      expect(error.code).toBe('PROVISION_CONFLICT')
      expect(error.message).toContain('topic "user-events" has 6 partitions and the manifest asks for 2')
      expect(error.message).toMatch(
        /queue "inference_requests" exists with other arguments than the manifest's \(durable, .*x-queue-mode=default, x-queue-version=2\): .*inequivalent arg 'x-queue-mode'.*received 'default' but current is 'lazy'.*delete the queue/,
      )
      expect(error.message).toContain('nothing was applied')
      expect(await kafkaTopics()).not.toContain('late-topic')
    } finally {
      await writeFile(file, original)
    }
  })

  it('fails on bad manifest content, naming the line, before anything is applied', async () => {
    const file = path.join(stack.dir, 'stack.yaml')
    const original = await readFile(file, 'utf8')
    try {
      const doc = parseDocument(original)
      doc.addIn(['topics'], {name: 'late-topic', partitions: 1})
      doc.addIn(['queues'], {name: 'late-queue', deadLetterQueue: 'missing.dlq'})
      await writeFile(file, doc.toString())
      const bad = await provision()
      expect(bad.exitCode).toBe(2)
      expect(bad.stderr).toMatch(
        /Error \[MANIFEST_INVALID\]: .*stack\.yaml has 1 problem:\n.*stack\.yaml:\d+:\d+: queues\[7\]\.deadLetterQueue: unknown queue "missing\.dlq"/,
      )
      expect(await kafkaTopics()).not.toContain('late-topic')
      expect(await queueExists('late-queue')).toBe(false)
    } finally {
      await writeFile(file, original)
    }
  })

  it('down stops every process of the stack and frees its ports', async () => {
    const started = Object.values(state.components).filter((component) => component.mode === 'started')
    expect(started.map((component) => component.name).sort()).toEqual(['kafka', 'schema-registry'])
    const down = await runCli(['down', '--volumes', '--stack', stack.dir], {env: stack.env})
    expect(down.exitCode, down.stderr).toBe(0)
    for (const component of started) {
      expect(isAlive(component.process!.pid), component.name).toBe(false)
      expect(await isPortFree(component.port), component.name).toBe(true)
    }
  })
})
