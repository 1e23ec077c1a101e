// The services' PostgreSQL pool (runtime/connections.ts) against the real server: session settings
// arrive in the startup packet, and a connection that went idle is kept rather than closed after
// pg-pool's default 10 s, so a burst after a quiet spell does not wait for new backends.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openPostgres, POSTGRES_IDLE_MS} from '../../src/services/runtime/connections.js'
import {createTestDatabase, type TestDatabase} from '../helpers/infra.js'

describe('openPostgres', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createTestDatabase('sctl_pool')
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('applies session settings to every connection of the pool, including ones opened concurrently', async () => {
    const pool = await openPostgres(db.url, {
      settings: {synchronous_commit: 'off', application_name: 'pool-test'},
      max: 4,
    })
    try {
      const answers = await Promise.all(
        Array.from({length: 8}, () => pool.query<{synchronous_commit: string}>('SHOW synchronous_commit')),
      )
      expect(answers.map((answer) => answer.rows[0]!.synchronous_commit)).toEqual(Array(8).fill('off'))
      expect(pool.totalCount).toBe(4)
    } finally {
      await pool.end()
    }
    const plain = await openPostgres(db.url)
    try {
      expect(
        (await plain.query<{synchronous_commit: string}>('SHOW synchronous_commit')).rows[0]!.synchronous_commit,
      ).toBe('on')
    } finally {
      await plain.end()
    }
  })

  it('keeps idle connections for POSTGRES_IDLE_MS, past pg-pool’s 10 s default', async () => {
    const pool = await openPostgres(db.url, {applicationName: 'sctl-pool-idle'})
    try {
      const pids = await Promise.all(
        Array.from({length: 3}, () => pool.query<{pid: number}>('SELECT pg_backend_pid() AS pid, pg_sleep(0.05)')),
      )
      expect(POSTGRES_IDLE_MS).toBeGreaterThan(10_000)
      await new Promise((resolve) => setTimeout(resolve, 11_000))
      expect(pool.idleCount).toBe(3)
      const again = await pool.query<{pid: number}>('SELECT pg_backend_pid() AS pid')
      expect(pids.map((result) => result.rows[0]!.pid)).toContain(again.rows[0]!.pid)
    } finally {
      await pool.end()
    }
  }, 30_000)
})
