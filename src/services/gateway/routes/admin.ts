// The one admin API: GET/PATCH /admin/switches (faults and interventions, broadcast to every
// service) and POST /admin/actions/cache-flush (deletes every cache entry of the stack). Every
// route needs the admin token first (gateway.requireAdmin); content-drop lives in read-side.ts.
import {AdminRoutes} from '../../../lib/streamflow/api.js'
import {parseSwitchesPatch} from '../../runtime/switches.js'
import {RedisKeys} from '../../redis/keys.js'
import type {GatewayRouteModule} from '../context.js'

export const adminRoutes: GatewayRouteModule = (router, gateway) => {
  router.get(
    AdminRoutes.switches,
    async ({request}) => {
      gateway.requireAdmin(request)
      return {status: 200, body: await gateway.switches.refresh()}
    },
    {unshed: true},
  )

  router.patch(
    AdminRoutes.switches,
    async ({request, body}) => {
      gateway.requireAdmin(request)
      const fields = parseSwitchesPatch(await body())
      const switches = await gateway.switches.patch(fields)
      gateway.runtime.log.info('switches changed', {fields: Object.keys(fields)})
      return {status: 200, body: switches}
    },
    {unshed: true},
  )

  router.post(
    AdminRoutes.cacheFlush,
    async ({request}) => {
      gateway.requireAdmin(request)
      const deleted = await flushCache(gateway.redis)
      gateway.runtime.log.info('cache flushed', {deleted})
      return {status: 200, body: {deleted}}
    },
    {unshed: true},
  )
}

/** Deletes every key under the stack's cache prefix, in batches (SCAN, never KEYS or FLUSHDB). */
export async function flushCache(redis: import('ioredis').Redis): Promise<number> {
  const prefix = redis.options.keyPrefix ?? ''
  let cursor = '0'
  let deleted = 0
  do {
    // SCAN patterns are not prefixed by ioredis, but DEL arguments are: strip it from what SCAN returns.
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}${RedisKeys.cachePrefix}*`, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) deleted += await redis.unlink(...keys.map((key) => key.slice(prefix.length)))
  } while (cursor !== '0')
  return deleted
}
