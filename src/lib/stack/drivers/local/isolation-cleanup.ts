// `down --volumes` on shared servers: remove exactly what isolates the stack — its database, its
// vhost, the Redis keys under its prefix — and nothing else on those servers.
import {findBinary, runQuietly} from '../../../host/binaries.js'
import type {ComponentState, StackState} from '../../state.js'

export async function removeIsolation(component: ComponentState, state: StackState): Promise<string[]> {
  switch (component.kind) {
    case 'postgres':
      return component.created?.database ? dropDatabase(component, component.created.database) : []
    case 'redis':
      return deleteKeys(component, state.endpoints.redisKeyPrefix)
    case 'rabbitmq':
      return component.created?.vhost && component.created.vhost !== '/' ? deleteVhost(component.created.vhost) : []
    default:
      return []
  }
}

async function dropDatabase(component: ComponentState, database: string): Promise<string[]> {
  const {default: pg} = await import('pg')
  const client = new pg.Client({
    host: component.host,
    port: component.port,
    user: process.env.PGUSER ?? 'postgres',
    database: 'postgres',
  })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database.replaceAll('"', '""')}" WITH (FORCE)`)
  } finally {
    await client.end()
  }
  return [`postgres database ${database}`]
}

async function deleteKeys(component: ComponentState, prefix: string): Promise<string[]> {
  if (!prefix) return []
  const {Redis} = await import('ioredis')
  const redis = new Redis({host: component.host, port: component.port, lazyConnect: true, maxRetriesPerRequest: 1})
  await redis.connect()
  let deleted = 0
  try {
    let cursor = '0'
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) deleted += await redis.unlink(...keys)
    } while (cursor !== '0')
  } finally {
    redis.disconnect()
  }
  return [`redis keys ${prefix}* (${deleted})`]
}

async function deleteVhost(vhost: string): Promise<string[]> {
  const ctl = await findBinary('rabbitmqctl')
  if (!ctl) return []
  const result = await runQuietly(ctl, ['delete_vhost', vhost], 30_000)
  return result.ok ? [`rabbitmq vhost ${vhost}`] : []
}
