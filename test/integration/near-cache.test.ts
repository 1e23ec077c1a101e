// The near cache against real Redis servers: the shared one (under a prefix of this file's own) and a
// private redis-server for what would disturb other tests (FLUSHDB, killing connections).
import {spawn, type ChildProcess} from 'node:child_process'
import {Redis} from 'ioredis'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {silentLogger} from '../../src/services/telemetry/log.js'
import {NearCache, type NearCacheOptions} from '../../src/services/cache/near-cache.js'
import {dropRedisPrefix, uniqueName} from '../helpers/infra.js'
import {eventually} from '../helpers/services.js'
import {freePort} from '../../src/lib/host/ports.js'

const SHARED = 'redis://127.0.0.1:6379'
const PREFIX = 'cache:things:'

describe('near cache', () => {
  const keyPrefix = `${uniqueName('near')}:`
  let redis: Redis
  let writer: Redis
  const caches: Array<NearCache<unknown>> = []
  let decoded = 0

  const open = async <T = string>(options: Partial<NearCacheOptions<T>> = {}, client = redis) => {
    const cache = new NearCache<T>({
      redis: client,
      prefix: PREFIX,
      maxEntries: 100,
      decode: (text) => (decoded++, text as T),
      log: silentLogger,
      ...options,
    })
    caches.push(cache as NearCache<unknown>)
    if ((options.maxEntries ?? 100) > 0)
      await eventually(async () => (cache.live ? true : undefined), 5000, 'tracking on')
    return cache
  }

  beforeAll(() => {
    redis = new Redis(SHARED, {keyPrefix})
    writer = new Redis(SHARED, {keyPrefix})
  })

  afterAll(async () => {
    for (const cache of caches) await cache.close()
    await dropRedisPrefix(SHARED, keyPrefix)
    redis.disconnect()
    writer.disconnect()
  })

  it('reads Redis once, then serves from memory, decoding once', async () => {
    // Written before tracking starts: an invalidation of a write just before the read could reach the
    // tracking connection after the read's reply, and rightly keep that read from being kept.
    await writer.set(`${PREFIX}a`, 'one', 'EX', 60)
    const cache = await open()
    decoded = 0
    expect(await cache.read(`${PREFIX}a`)).toEqual({value: 'one', source: 'redis'})
    expect(await cache.read(`${PREFIX}a`)).toEqual({value: 'one', source: 'near'})
    expect(await cache.read(`${PREFIX}a`)).toEqual({value: 'one', source: 'near'})
    expect(decoded).toBe(1)
    expect(await cache.read(`${PREFIX}missing`)).toBeUndefined()
    expect(cache.size).toBe(1)
    await expect(cache.read('other:a')).rejects.toThrow(/cache:things:\* asked for other:a/)
  })

  it('drops its copy when another client writes, deletes or expires the key', async () => {
    const cache = await open()
    const key = `${PREFIX}b`
    const settled = async (expected: string | undefined) =>
      eventually(
        async () => {
          const read = await cache.read(key)
          return read?.value === expected && (expected === undefined || (await cache.read(key))?.source === 'near')
            ? true
            : undefined
        },
        5000,
        `the near cache to show ${expected}`,
      )
    await writer.set(key, 'v1')
    await settled('v1')
    await writer.set(key, 'v2')
    await settled('v2')
    await writer.pexpire(key, 300)
    await settled(undefined)
    await writer.set(key, 'v3')
    await settled('v3')
    await writer.unlink(key)
    await settled(undefined)
  })

  it('keeps nothing a write overtook while the read was in flight', async () => {
    // The data connection's replies are held back until the test lets them go; Redis is real.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const slow = new Proxy(redis, {
      get(target, property, receiver) {
        if (property !== 'pipeline') return Reflect.get(target, property, receiver)
        return () => {
          const pipeline = target.pipeline()
          const exec = pipeline.exec.bind(pipeline)
          return Object.assign(pipeline, {
            exec: async () => {
              const results = await exec()
              await held
              return results
            },
          })
        }
      },
    })
    const cache = await open({}, slow)
    const key = `${PREFIX}c`
    await writer.set(key, 'old')
    const reading = cache.read(key)
    await new Promise((resolve) => setTimeout(resolve, 100)) // the GET has been answered with 'old'
    await writer.set(key, 'new')
    await new Promise((resolve) => setTimeout(resolve, 100)) // and the invalidation has arrived
    release()
    expect(await reading).toEqual({value: 'old', source: 'redis'})
    expect(cache.size).toBe(0)
    expect(await cache.read(key)).toEqual({value: 'new', source: 'redis'})
    expect(await cache.read(key)).toEqual({value: 'new', source: 'near'})
  })

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const cache = await open({maxEntries: 2})
    for (const name of ['d1', 'd2', 'd3']) await writer.set(`${PREFIX}${name}`, name)
    await cache.read(`${PREFIX}d1`)
    await cache.read(`${PREFIX}d2`)
    expect((await cache.read(`${PREFIX}d1`))?.source).toBe('near') // d1 used after d2
    await cache.read(`${PREFIX}d3`) // evicts d2
    expect(cache.size).toBe(2)
    expect((await cache.read(`${PREFIX}d1`))?.source).toBe('near')
    expect((await cache.read(`${PREFIX}d3`))?.source).toBe('near')
    expect((await cache.read(`${PREFIX}d2`))?.source).toBe('redis')
  })

  it('with maxEntries 0 reads Redis every time and opens no tracking connection', async () => {
    const trackers = async () => String(await writer.client('LIST')).split(`name=near-cache:${keyPrefix}`).length - 1
    const before = await trackers()
    const cache = await open({maxEntries: 0})
    await writer.set(`${PREFIX}e`, 'e')
    expect((await cache.read(`${PREFIX}e`))?.source).toBe('redis')
    expect((await cache.read(`${PREFIX}e`))?.source).toBe('redis')
    expect(cache.live).toBe(false)
    expect(await trackers()).toBe(before)
  })
})

/** A redis-server of the test's own on a free port, answering PING. */
async function privateRedis(extraArgs: string[] = []): Promise<{server: ChildProcess; url: string; admin: Redis}> {
  const port = await freePort()
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    {stdio: 'ignore'},
  )
  const url = `redis://127.0.0.1:${port}`
  const admin = new Redis(url, {retryStrategy: (attempt) => Math.min(attempt * 50, 500)})
  admin.on('error', () => {}) // refused until the server listens; the PING below waits for it
  await eventually(
    async () => ((await admin.ping().catch(() => undefined)) === 'PONG' ? true : undefined), // not up yet: try again
    10_000,
    'redis-server up',
  )
  return {server, url, admin}
}

describe('near cache on a private redis-server', () => {
  let server: ChildProcess
  let redis: Redis
  let admin: Redis
  let cache: NearCache<string>

  beforeAll(async () => {
    let url: string
    ;({server, url, admin} = await privateRedis())
    redis = new Redis(url)
    cache = new NearCache<string>({redis, prefix: PREFIX, maxEntries: 100, decode: (text) => text, log: silentLogger})
    await eventually(async () => (cache.live ? true : undefined), 5000, 'tracking on')
  })

  afterAll(async () => {
    await cache?.close()
    redis?.disconnect()
    admin?.disconnect()
    server?.kill('SIGKILL')
  })

  it('forgets everything when the database is flushed', async () => {
    await admin.set(`${PREFIX}f`, 'f')
    await eventually(
      async () => ((await cache.read(`${PREFIX}f`))?.source === 'near' ? true : undefined),
      5000,
      'f kept',
    )
    await admin.flushdb()
    await eventually(
      async () => ((await cache.read(`${PREFIX}f`)) === undefined ? true : undefined),
      5000,
      'the flush seen',
    )
  })

  it('serves nothing from memory while its tracking connection is gone, and tracks again when it is back', async () => {
    await admin.set(`${PREFIX}g`, 'before')
    await eventually(
      async () => ((await cache.read(`${PREFIX}g`))?.source === 'near' ? true : undefined),
      5000,
      'g kept',
    )
    const list = String(await admin.client('LIST'))
    const id = /id=(\d+) [^\n]*name=near-cache:cache:things: /.exec(list)?.[1]
    expect(id).toBeDefined()
    await admin.client('KILL', 'ID', id!)
    // A write while it is down would send its invalidation nowhere: nothing kept may survive that.
    await admin.set(`${PREFIX}g`, 'after')
    expect(await cache.read(`${PREFIX}g`)).toMatchObject({value: 'after'})
    await eventually(async () => (cache.live ? true : undefined), 10_000, 'tracking back')
    expect(await cache.read(`${PREFIX}g`)).toMatchObject({value: 'after'})
    expect(await cache.read(`${PREFIX}g`)).toEqual({value: 'after', source: 'near'})
    await admin.set(`${PREFIX}g`, 'later')
    await eventually(
      async () => ((await cache.read(`${PREFIX}g`))?.value === 'later' ? true : undefined),
      5000,
      'invalidations flowing again',
    )
  })
})

describe('near cache on a Redis that refuses CLIENT', () => {
  it('stays a plain Redis GET, says why once, and does not retry', async () => {
    const {server, url, admin} = await privateRedis(['--rename-command', 'CLIENT', ''])
    const redis = new Redis(url)
    const warnings: string[] = []
    const cache = new NearCache<string>({
      redis,
      prefix: PREFIX,
      maxEntries: 100,
      decode: (text) => text,
      log: {...silentLogger, warn: (message) => warnings.push(message)},
    })
    try {
      await eventually(async () => (warnings.length > 0 ? true : undefined), 5000, 'the warning')
      await admin.set(`${PREFIX}h`, 'h')
      expect(await cache.read(`${PREFIX}h`)).toEqual({value: 'h', source: 'redis'})
      expect(await cache.read(`${PREFIX}h`)).toEqual({value: 'h', source: 'redis'})
      expect(cache.live).toBe(false)
      expect(warnings).toEqual(['near cache off: cannot turn on client tracking'])
    } finally {
      await cache.close()
      redis.disconnect()
      admin.disconnect()
      server.kill('SIGKILL')
    }
  })
})
