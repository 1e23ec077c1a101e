// One tenant's bad input never hurts another, and an admission that does not end in a stored request
// is refunded, requests and tokens alike: against the real gateway, PostgreSQL and Redis.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {freePort} from '../../src/lib/host/ports.js'
import {eventually, startService} from '../helpers/services.js'
import {tcpProxy} from '../helpers/sockets.js'
import {
  authorized,
  createInferenceStack,
  generate,
  raceClient,
  REFUSED_MARKER,
  refuseMarkedRows,
  userQuotaToday,
  type InferenceStack,
} from '../helpers/inference-stack.js'

describe('gateway tenants', () => {
  let stack: InferenceStack
  let gateway: string

  beforeAll(async () => {
    stack = await createInferenceStack({users: {mallory: 'limited', alice: 'roomy', carol: 'roomy', support: 'staff'}})
    gateway = (await stack.start('gateway')).url
  })
  afterAll(async () => {
    await stack?.close()
  })

  /** `bad` requests from one user and `good` from another, all at once; the statuses of each. */
  const mixed = async (
    bad: {user: string; body: (index: number) => unknown; count: number},
    good: {user: string; count: number},
  ) => {
    const agent = raceClient()
    try {
      const send = (user: string, body?: unknown) => generate(gateway, stack.users[user]!, body, agent)
      // Interleaved as they are sent, so the bad ones share group-committed INSERTs with the good ones.
      const every = Math.floor((bad.count + good.count) / bad.count)
      const requests: Array<{bad: boolean; sent: ReturnType<typeof send>}> = []
      for (let index = 0, badSent = 0; index < bad.count + good.count; index++) {
        const isBad =
          badSent < bad.count && (index % every === 0 || bad.count + good.count - index <= bad.count - badSent)
        requests.push(
          isBad ? {bad: true, sent: send(bad.user, bad.body(badSent++))} : {bad: false, sent: send(good.user)},
        )
      }
      const results = await Promise.all(requests.map(async (request) => ({bad: request.bad, ...(await request.sent)})))
      return {bad: results.filter((result) => result.bad), good: results.filter((result) => !result.bad)}
    } finally {
      await agent.close()
    }
  }

  it('answers a NUL in prompt or model with 400 naming the field, before the quota, and every neighbour is accepted', async () => {
    const mallory = stack.users.mallory!
    const before = await userQuotaToday(stack, mallory.userId)
    const {bad, good} = await mixed(
      {
        user: 'mallory',
        count: 10,
        body: (index) =>
          index % 2 === 0 ? {prompt: `hello\u0000world ${index}`} : {prompt: 'hello', model: `gpt\u0000${index}`},
      },
      {user: 'alice', count: 290},
    )
    expect(good.map((result) => result.status).filter((status) => status !== 202)).toEqual([])
    for (const [index, result] of bad.entries()) {
      expect(result.status).toBe(400)
      expect(JSON.stringify(result.body)).toMatch(index % 2 === 0 ? /prompt/ : /model/)
    }
    expect(await userQuotaToday(stack, mallory.userId)).toEqual(before)
  })

  it('fails only the row PostgreSQL refuses, with a 4xx, refunded; its neighbours in the same INSERT are stored', async () => {
    // The group's INSERT fails on the marked rows only.
    const allowMarked = await refuseMarkedRows(stack)
    try {
      const mallory = stack.users.mallory!
      const before = await userQuotaToday(stack, mallory.userId)
      const stored = Number(
        (await stack.pg.query('SELECT count(*) FROM requests WHERE user_id = $1', [stack.users.carol!.userId])).rows[0]
          .count,
      )
      const {bad, good} = await mixed(
        {user: 'mallory', count: 10, body: (index) => ({prompt: `please ${REFUSED_MARKER} ${index}`})},
        {user: 'carol', count: 290},
      )
      expect(good.map((result) => result.status).filter((status) => status !== 202)).toEqual([])
      expect(bad.map((result) => result.status)).toEqual(Array(10).fill(400))
      expect(bad[0]!.body).toMatchObject({error: {code: 'unstorable_request'}})
      expect(bad[0]!.headers.get('retry-after')).toBeNull()
      expect(
        Number(
          (await stack.pg.query('SELECT count(*) FROM requests WHERE user_id = $1', [stack.users.carol!.userId]))
            .rows[0].count,
        ),
      ).toBe(stored + 290)
      expect(await userQuotaToday(stack, mallory.userId)).toEqual(before)
    } finally {
      await allowMarked()
    }
  })

  it('refunds every failed store: a hundred of them do not use up a day of a hundred requests', async () => {
    const allowMarked = await refuseMarkedRows(stack)
    try {
      const mallory = stack.users.mallory!
      for (let index = 0; index < 100; index++)
        expect((await generate(gateway, mallory, {prompt: `${REFUSED_MARKER} ${index}`})).status).toBe(400)
      expect(await userQuotaToday(stack, mallory.userId)).toEqual({requests: 0, reserved: 0, used: 0})
      const next = await generate(gateway, mallory)
      expect(next.status).toBe(202)
      expect((await userQuotaToday(stack, mallory.userId)).requests).toBe(1)
    } finally {
      await allowMarked()
    }
  })

  it("lets a key read its own user's requests only, unless its tier grants readsAllUsers", async () => {
    const accepted = await generate(gateway, stack.users.alice!)
    const id = accepted.body.request_id as string
    const read = async (user: string) =>
      (await fetch(`${gateway}/v1/requests/${id}`, {headers: authorized(stack.users[user]!)})).status
    expect(await read('alice')).toBe(200)
    expect(await read('carol')).toBe(404)
    expect(await read('support')).toBe(200)
  })

  it('answers 503 only when the store is really down, and refunds that admission too', async () => {
    const port = await freePort()
    const proxy = tcpProxy(port, 5432)
    await proxy.open()
    const viaProxy = stack.database.url.replace(':5432/', `:${port}/`)
    const second = await startService('gateway', {
      ...stack.env,
      DATABASE_URL: viaProxy,
      DISPATCH_SWEEP_MS: '200',
      DISPATCH_GRACE_MS: '1000',
    })
    try {
      const carol = stack.users.carol!
      expect((await generate(second.url, carol)).status).toBe(202) // the key is now in the gateway's auth cache
      const before = await userQuotaToday(stack, carol.userId)
      await proxy.cut()
      const down = await generate(second.url, carol)
      expect(down.status).toBe(503)
      expect(down.body).toMatchObject({error: {code: 'unavailable'}})
      // Refunded at once when the INSERT never left, or by the sweeper once PostgreSQL is back when it
      // may have been committed (the sweeper then drops the row first).
      await proxy.open()
      await eventually(
        async () =>
          JSON.stringify(await userQuotaToday(stack, carol.userId)) === JSON.stringify(before) ? true : undefined,
        15_000,
        'the failed admission refunded',
      )
    } finally {
      await proxy.cut()
      await second.close()
    }
  })
})
