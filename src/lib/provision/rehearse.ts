// Runs database work inside one transaction that is always rolled back, so `provision --dry-run`
// can show exactly what the real migration runner and seeder would do without keeping any of it.
// The code being rehearsed manages its own transactions; its BEGIN and COMMIT become no-ops here
// (PostgreSQL DDL is transactional, so even pending migrations are rehearsed faithfully).
import type pg from 'pg'

const OWN_TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT)\s*;?\s*$/i

export async function rehearse<T>(client: pg.ClientBase, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
  const rehearsal = new Proxy(client, {
    get(target, property) {
      if (property === 'query') {
        return (text: unknown, ...rest: unknown[]) =>
          typeof text === 'string' && OWN_TRANSACTION_CONTROL.test(text)
            ? Promise.resolve({rows: [], rowCount: 0})
            : (target.query as (...args: unknown[]) => unknown)(text, ...rest)
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
  await client.query('BEGIN')
  try {
    return await work(rehearsal)
  } finally {
    await client.query('ROLLBACK').catch(() => {}) // a rehearsal never commits; a connection that cannot roll back is gone, which aborts it too
  }
}
