// Provisioning PostgreSQL: the stack's SQL migrations (the migration runner), then quota tiers,
// the seeded users and their API keys (the account seed). The plan comes from the same code
// rehearsed in a rolled-back transaction; the keys issued for real are written once to the
// stack's state directory and the demo user's key is handed back to be printed.
import path from 'node:path'
import {StreamctlError} from '../errors.js'
import {readCredentials, writeCredentials, type SeededUser} from '../stack/credentials.js'
import type {StackManifest} from '../stack/manifest.js'
import {applyMigrations, planMigrations, type Migration} from './migrations.js'
import {closeOnFailure, isChange, unchanged, type PlannedChange, type PlannedStep} from './plan.js'
import {rehearse} from './rehearse.js'
import {seedAccounts, type SeedResult} from './seed.js'

export interface DatabaseStep extends PlannedStep {
  /** After apply: where the keys were written and the demo user's key, when keys were issued. */
  issued?: {credentialsFile: string; demoUser: SeededUser}
}

export async function planDatabase(
  manifest: StackManifest,
  stackDir: string,
  databaseUrl: string,
  stateDir: string,
): Promise<DatabaseStep> {
  const step: DatabaseStep = {
    area: 'PostgreSQL',
    changes: [],
    conflicts: [],
    warnings: [],
    apply: async () => [],
    close: async () => {},
  }
  if (!databaseUrl) {
    step.warnings.push('the stack has no PostgreSQL: migrations and seeds were not applied')
    return step
  }
  const {default: pgModule} = await import('pg')
  const client = new pgModule.Client({connectionString: databaseUrl, connectionTimeoutMillis: 5000})
  try {
    await client.connect()
  } catch (error) {
    throw new StreamctlError(
      'STACK_NOT_READY',
      `PostgreSQL at ${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')} does not answer: ${(error as Error).message}`,
      {hint: 'Check it with `streamctl status`.', cause: error},
    )
  }
  step.close = () => client.end().catch(() => {}) // best effort: the outcome is already decided and a broken connection has nothing left to close
  return closeOnFailure(step, async () => {
    const migrationsDir = path.resolve(stackDir, manifest.migrations)
    const knownKeys = await readCredentials(stateDir).then(
      (credentials) => (credentials.stack === manifest.name ? credentials.users : []),
      () => [] as SeededUser[],
    )
    const pending = await planMigrations(client, migrationsDir)
    const seed = await rehearse(client, async (rehearsal) => {
      await applyMigrations(rehearsal, migrationsDir)
      return seedAccounts(rehearsal, manifest.quotas, knownKeys)
    }).catch((error: unknown) => {
      if (error instanceof StreamctlError) throw error
      throw new StreamctlError(
        'PROVISION_CONFLICT',
        `seeding users and quota tiers failed in rehearsal: ${(error as Error).message}`,
        {
          hint: "The seed needs the tiers, users and api_keys tables of the reference migrations; check the stack's migrations.",
          cause: error,
        },
      )
    })
    step.changes = [...migrationChanges(pending, migrationsDir), ...seedChanges(seed)]

    step.apply = async () => {
      const applied = await applyMigrations(client, migrationsDir)
      const result = await seedAccounts(client, manifest.quotas, knownKeys)
      if (result.keysIssued > 0) {
        const credentialsFile = await writeCredentials(stateDir, {
          stack: manifest.name,
          createdAt: new Date().toISOString(),
          users: result.users,
        })
        const demoUser = result.users[0]
        if (demoUser) step.issued = {credentialsFile, demoUser}
      }
      return [...migrationChanges(applied, migrationsDir), ...seedChanges(result)].filter(isChange)
    }
    return step
  })
}

function migrationChanges(migrations: Migration[], dir: string): PlannedChange[] {
  return migrations.map((migration) => ({
    kind: 'migration',
    name: migration.id,
    action: 'apply',
    detail: path.relative(path.dirname(dir), migration.file),
  }))
}

function seedChanges(seed: SeedResult): PlannedChange[] {
  const changes: PlannedChange[] = seed.tiers.map((tier) =>
    tier.action === 'unchanged'
      ? unchanged('tier', tier.name, 'limits match')
      : {
          kind: 'tier',
          name: tier.name,
          action: tier.action === 'created' ? 'create' : 'update',
          detail: tier.action === 'created' ? 'new quota tier' : 'limits changed',
        },
  )
  const users = seed.users.length
  changes.push(
    seed.usersCreated + seed.usersRetiered > 0
      ? {
          kind: 'users',
          name: 'seeded users',
          action: seed.usersCreated > 0 ? 'create' : 'update',
          detail: [
            seed.usersCreated > 0 ? `${seed.usersCreated} new` : '',
            seed.usersRetiered > 0 ? `${seed.usersRetiered} change tier` : '',
          ]
            .filter(Boolean)
            .join(', '),
        }
      : unchanged('users', 'seeded users', `${users} users`),
  )
  changes.push(
    seed.keysIssued > 0
      ? {
          kind: 'api-keys',
          name: 'API keys',
          action: 'create',
          detail: `${seed.keysIssued} new (hashed at rest)${seed.keysRevoked > 0 ? `, ${seed.keysRevoked} unknown old keys revoked` : ''}`,
        }
      : unchanged('api-keys', 'API keys', `${users} keys valid`),
  )
  return changes
}
