// The SQL migration runner: `NNNN_name.sql` files of a stack's migrations directory, applied in
// file-name order, each once, each in its own transaction together with its schema_migrations row.
// A session advisory lock serialises runners (two `provision`s, or a service and a `provision`), and
// an applied file whose checksum changed stops everything: migrations are append-only.
import {createHash} from 'node:crypto'
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'
import type pg from 'pg'
import {StreamctlError} from '../errors.js'
import {MIGRATION_FILE} from '../stack/load-stack.js'

export interface Migration {
  /** The file name without `.sql`, e.g. `0001_accounts_and_quotas`. */
  id: string
  /** Absolute path. */
  file: string
  /** SHA-256 of the file's bytes, hex. */
  checksum: string
}

/** Any value, the same in every streamctl: the key of the advisory lock that serialises runners. */
const MIGRATION_LOCK_KEY = 7_311_002_417

const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id          text PRIMARY KEY,
  checksum    text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now()
)`

/** The migration files of a directory, in order. */
export async function readMigrations(dir: string): Promise<Array<Migration & {sql: string}>> {
  const names = (
    await readdir(dir).catch((error: NodeJS.ErrnoException) => {
      throw new StreamctlError(
        'FILE_NOT_FOUND',
        `migrations directory ${dir} cannot be read (${error.code ?? error.message})`,
        {hint: 'Check `migrations:` in stack.yaml.', cause: error},
      )
    })
  )
    .filter((name) => name.endsWith('.sql'))
    .sort()
  const migrations: Array<Migration & {sql: string}> = []
  for (const name of names) {
    if (!MIGRATION_FILE.test(name)) {
      throw new StreamctlError(
        'MANIFEST_INVALID',
        `${path.join(dir, name)}: migration files are named NNNN_description.sql (lower case)`,
        {hint: 'Rename the file.'},
      )
    }
    const file = path.join(dir, name)
    const bytes = await readFile(file)
    migrations.push({
      id: name.slice(0, -'.sql'.length),
      file,
      checksum: createHash('sha256').update(bytes).digest('hex'),
      sql: bytes.toString('utf8'),
    })
  }
  return migrations
}

/** The migrations not applied yet, in file-name order. Fails when an applied one was edited. */
export async function planMigrations(client: pg.ClientBase, dir: string): Promise<Migration[]> {
  const migrations = await readMigrations(dir)
  const applied = await appliedChecksums(client)
  return pending(migrations, applied).map(({id, file, checksum}) => ({id, file, checksum}))
}

/** Applies the pending migrations under the advisory lock; returns those applied by this call. */
export async function applyMigrations(client: pg.ClientBase, dir: string): Promise<Migration[]> {
  const migrations = await readMigrations(dir)
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
  try {
    await client.query(CREATE_LEDGER)
    // Read under the lock: another runner may have applied some while we waited.
    const todo = pending(migrations, await appliedChecksums(client))
    const applied: Migration[] = []
    for (const migration of todo) {
      await client.query('BEGIN')
      try {
        await client.query(migration.sql)
        await client.query('INSERT INTO schema_migrations (id, checksum, applied_at) VALUES ($1, $2, now())', [
          migration.id,
          migration.checksum,
        ])
        await client.query('COMMIT')
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {}) // the first error is the one to report; a connection that cannot roll back is gone, which aborts the transaction too
        const pgError = error as {message?: string; position?: string}
        throw new StreamctlError(
          'MIGRATION_FAILED',
          `${migration.file}${lineOf(migration.sql, pgError.position)}: ${pgError.message ?? String(error)}`,
          {
            hint: 'Nothing of this migration was applied (it ran in one transaction). Fix the file and run `streamctl provision` again.',
            cause: error,
          },
        )
      }
      applied.push({id: migration.id, file: migration.file, checksum: migration.checksum})
    }
    return applied
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {}) // the lock is a session lock: it goes with the connection if the unlock fails
  }
}

async function appliedChecksums(client: pg.ClientBase): Promise<Map<string, string>> {
  const exists = await client.query<{present: boolean}>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  )
  if (!exists.rows[0]?.present) return new Map()
  const rows = await client.query<{id: string; checksum: string}>('SELECT id, checksum FROM schema_migrations')
  return new Map(rows.rows.map((row) => [row.id, row.checksum]))
}

function pending<T extends Migration>(migrations: T[], applied: Map<string, string>): T[] {
  for (const migration of migrations) {
    const checksum = applied.get(migration.id)
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new StreamctlError(
        'MIGRATION_CHANGED',
        `${migration.file} was changed after it was applied (checksum ${checksum.slice(0, 12)}… recorded, ${migration.checksum.slice(0, 12)}… now)`,
        {
          hint: 'Applied migrations are append-only: restore the file and put the change in a new NNNN_*.sql file.',
          details: {id: migration.id, file: migration.file, recorded: checksum, current: migration.checksum},
        },
      )
    }
  }
  return migrations.filter((migration) => !applied.has(migration.id))
}

/** `:LINE` of a PostgreSQL error position (1-based character offset), or '' when unknown. */
function lineOf(sql: string, position: string | undefined): string {
  const offset = Number(position)
  if (!Number.isInteger(offset) || offset < 1) return ''
  return `:${sql.slice(0, offset - 1).split('\n').length}`
}
