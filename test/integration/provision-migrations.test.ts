// The migration runner and the account seed against a real PostgreSQL database of this file's own.
import {appendFile, cp, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {applyMigrations, planMigrations} from '../../src/lib/provision/migrations.js'
import {seedAccounts, seededUsers} from '../../src/lib/provision/seed.js'
import {parseApiKey} from '../../src/lib/stack/credentials.js'
import type {StackManifest} from '../../src/lib/stack/manifest.js'
import {ROOT} from '../helpers/cli.js'
import {createTestDatabase, type TestDatabase} from '../helpers/infra.js'

const REFERENCE_MIGRATIONS = path.join(ROOT, 'stacks/reference/migrations')

describe('migrations', () => {
  let database: TestDatabase
  let dir: string
  const clients: pg.Client[] = []
  const connect = async () => {
    const client = new pg.Client({connectionString: database.url})
    await client.connect()
    clients.push(client)
    return client
  }

  beforeAll(async () => {
    database = await createTestDatabase('sctl_migr')
    dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-migrations-'))
    await cp(REFERENCE_MIGRATIONS, dir, {recursive: true})
  })
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end()))
    await database.drop()
    await rm(dir, {recursive: true, force: true})
  })

  it('plans every file on an empty database, applies them once under a lock, and plans nothing after', async () => {
    const [first, second] = [await connect(), await connect()]
    const plan = await planMigrations(first, dir)
    const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort()
    expect(files[0]).toBe('0001_accounts_and_quotas.sql')
    expect(plan.map((migration) => `${migration.id}.sql`)).toEqual(files)
    // Two runners at once: the advisory lock lets one apply everything and the other nothing.
    const [a, b] = await Promise.all([applyMigrations(first, dir), applyMigrations(second, dir)])
    expect(a.length + b.length).toBe(plan.length)
    expect(await planMigrations(first, dir)).toEqual([])
    expect(await applyMigrations(first, dir)).toEqual([])
    const ledger = await first.query('SELECT id FROM schema_migrations ORDER BY id')
    expect(ledger.rows.map((row) => row.id)).toEqual(plan.map((migration) => migration.id))
    const tables = await first.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'api_keys',
        'tiers',
        'requests',
        'usage_log',
        'content',
        'embeddings',
        'profiles',
        'genre_affinity',
        'recommendations',
        'trending',
        'projector_offsets',
      ]),
    )
  })

  it('rolls a failing migration back whole and names the file and line', async () => {
    const client = await connect()
    await writeFile(
      path.join(dir, '0099_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT no_such_column FROM half_done;\n',
    )
    await expect(applyMigrations(client, dir)).rejects.toMatchObject({
      code: 'MIGRATION_FAILED',
      message: expect.stringMatching(/0099_broken\.sql:2: .*no_such_column/),
    })
    const table = await client.query("SELECT to_regclass('half_done') AS t")
    expect(table.rows[0].t).toBeNull()
    await rm(path.join(dir, '0099_broken.sql'))
  })

  it('refuses to run when an applied migration was edited, naming the file', async () => {
    const client = await connect()
    await appendFile(path.join(dir, '0003_catalogue.sql'), '\n-- edited later\n')
    await expect(planMigrations(client, dir)).rejects.toMatchObject({
      code: 'MIGRATION_CHANGED',
      message: expect.stringContaining('0003_catalogue.sql'),
    })
    await expect(applyMigrations(client, dir)).rejects.toMatchObject({code: 'MIGRATION_CHANGED'})
  })
})

describe('account seed', () => {
  let database: TestDatabase
  let client: pg.Client
  const quotas: StackManifest['quotas'] = {
    tiers: [
      {
        name: 'free',
        daily: {requests: 10, tokens: 1000},
        monthly: {requests: 100, tokens: 10000},
        rateLimit: {perSecond: 5, burst: 10},
        priority: 1,
      },
      {
        name: 'pro',
        daily: {requests: 100, tokens: 10000},
        monthly: {requests: 1000, tokens: 100000},
        rateLimit: {perSecond: 50, burst: 100},
        priority: 5,
      },
    ],
    seed: {users: 40, mix: {free: 75, pro: 25}, seed: 7},
  }

  beforeAll(async () => {
    database = await createTestDatabase('sctl_seed')
    client = new pg.Client({connectionString: database.url})
    await client.connect()
    await applyMigrations(client, REFERENCE_MIGRATIONS)
  })
  afterAll(async () => {
    await client.end()
    await database.drop()
  })

  it('draws the same population from the same seed', () => {
    expect(seededUsers(quotas.seed)).toEqual(seededUsers(quotas.seed))
    expect(seededUsers({...quotas.seed, seed: 8})).not.toEqual(seededUsers(quotas.seed))
    const tiers = seededUsers(quotas.seed).map((user) => user.tier)
    expect(new Set(tiers)).toEqual(new Set(['free', 'pro']))
  })

  it('seeds tiers, users and hashed keys, and a second run with the same keys changes nothing', async () => {
    const first = await seedAccounts(client, quotas)
    expect(first.tiers.map((tier) => tier.action)).toEqual(['created', 'created'])
    expect(first.usersCreated).toBe(40)
    expect(first.keysIssued).toBe(40)
    const stored = await client.query('SELECT key_id, key_hash FROM api_keys WHERE revoked_at IS NULL')
    expect(stored.rowCount).toBe(40)
    // Only hashes at rest: no stored value contains a key's secret.
    const secrets = first.users.map((user) => parseApiKey(user.apiKey)!.secret)
    const dump = JSON.stringify(stored.rows.map((row) => [row.key_id, (row.key_hash as Buffer).toString('base64url')]))
    for (const secret of secrets) expect(dump).not.toContain(secret)

    const second = await seedAccounts(client, quotas, first.users)
    expect(second).toMatchObject({usersCreated: 0, usersRetiered: 0, keysIssued: 0, keysRevoked: 0})
    expect(second.tiers.every((tier) => tier.action === 'unchanged')).toBe(true)
    expect(second.users).toEqual(first.users)

    // A lost key is replaced, and the old one revoked.
    const lost = second.users.slice(1)
    const third = await seedAccounts(
      client,
      {...quotas, tiers: [{...quotas.tiers[0]!, daily: {requests: 11, tokens: 1000}}, quotas.tiers[1]!]},
      lost,
    )
    expect(third).toMatchObject({keysIssued: 1, keysRevoked: 1})
    expect(third.tiers.map((tier) => tier.action)).toEqual(['updated', 'unchanged'])
    expect(third.users[0]!.apiKey).not.toBe(first.users[0]!.apiKey)
  })
})
