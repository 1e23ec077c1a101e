// Malformed input against the gateway: each gets the right 4xx with a message naming the problem,
// never a 5xx, and the gateway keeps serving. Also: load shedding answers a fast 503, and the admin
// API answers only its token (401 to everyone when the gateway has none).
import http from 'node:http'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {seededRandom} from '../../src/lib/random/seeded.js'
import {eventually, metricValue} from '../helpers/services.js'
import {printFigure, scaled} from '../helpers/trials.js'
import {AdminRoutes} from '../../src/lib/streamflow/api.js'
import {
  adminHeaders,
  authorized,
  createInferenceStack,
  generate,
  type InferenceStack,
} from '../helpers/inference-stack.js'

describe('gateway input handling', () => {
  let stack: InferenceStack
  let gateway: string

  beforeAll(async () => {
    stack = await createInferenceStack({users: {alice: 'roomy', revoked: 'roomy'}})
    gateway = (await stack.start('gateway', {MAX_BODY_BYTES: '4096', MAX_PROMPT_CHARS: '1000'})).url
  })
  afterAll(async () => {
    await stack?.close()
  })

  const send = async (options: {method?: string; path?: string; headers?: Record<string, string>; body?: string}) => {
    const response = await fetch(`${gateway}${options.path ?? '/v1/generate'}`, {
      method: options.method ?? 'POST',
      headers: options.headers ?? authorized(stack.users.alice!),
      ...(options.body === undefined ? {} : {body: options.body}),
    })
    const text = await response.text()
    return {status: response.status, text, headers: response.headers}
  }

  it('rejects missing, malformed, unknown and revoked API keys with 401', async () => {
    const alice = stack.users.alice!.apiKey
    const wrongSecret = alice.slice(0, -4) + (alice.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    await stack.pg.query('UPDATE api_keys SET revoked_at = now() WHERE user_id = $1', [stack.users.revoked!.userId])
    const cases: Array<[string, Record<string, string>]> = [
      ['missing', {'content-type': 'application/json'}],
      ['not bearer', {'content-type': 'application/json', authorization: `Basic ${alice}`}],
      ['malformed', {'content-type': 'application/json', authorization: 'Bearer nope'}],
      [
        'unknown id',
        {
          'content-type': 'application/json',
          authorization: 'Bearer sctl_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        },
      ],
      ['wrong secret', {'content-type': 'application/json', authorization: `Bearer ${wrongSecret}`}],
      ['revoked', authorized(stack.users.revoked!)],
    ]
    for (const [what, headers] of cases) {
      const result = await send({headers, body: JSON.stringify({prompt: 'hi'})})
      expect(result.status, what).toBe(401)
      expect(JSON.parse(result.text).error.code, what).toBe('unauthorized')
      expect(result.headers.get('www-authenticate'), what).toBe('Bearer')
    }
    const status = await send({method: 'GET', path: '/v1/requests/00000000-0000-0000-0000-000000000000', headers: {}})
    expect(status.status).toBe(401)
  })

  it('answers 415 for a wrong content type, 400 for bad JSON and 413 for an oversized body', async () => {
    expect(
      (
        await send({
          headers: {...authorized(stack.users.alice!), 'content-type': 'text/plain'},
          body: '{"prompt":"hi"}',
        })
      ).status,
    ).toBe(415)
    const {'content-type': _, ...noType} = authorized(stack.users.alice!)
    expect((await send({headers: noType, body: '{"prompt":"hi"}'})).status).toBe(415)
    for (const body of ['{"prompt":', '', 'nul', "{'prompt': 'hi'}", '{"prompt":"hi"}}']) {
      const result = await send({body})
      expect(result.status, body).toBe(400)
      expect(JSON.parse(result.text).error.code, body).toBe('invalid_json')
    }
    const oversized = await send({body: JSON.stringify({prompt: 'x'.repeat(10_000)})})
    expect(oversized.status).toBe(413)
    // Without a Content-Length (chunked), the limit still holds while the body streams in.
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        `${gateway}/v1/generate`,
        {method: 'POST', headers: authorized(stack.users.alice!)},
        (response) => {
          response.resume()
          resolve(response.statusCode!)
        },
      )
      request.on('error', reject)
      request.write('{"prompt":"')
      request.end(`${'y'.repeat(8000)}"}`)
    })
    expect(chunked).toBe(413)
  })

  it('answers 400 naming the field for wrong types, missing and unknown fields', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [[], /JSON object/],
      ['prompt', /JSON object/],
      [null, /JSON object/],
      [{}, /missing field prompt/],
      [{prompt: 42}, /prompt must be a string/],
      [{prompt: ''}, /prompt must have at least 1/],
      [{prompt: 'x'.repeat(1001)}, /prompt must have at most 1000/],
      [{prompt: 'hi', max_tokens: '64'}, /max_tokens must be an integer/],
      [{prompt: 'hi', max_tokens: 1.5}, /max_tokens must be an integer/],
      [{prompt: 'hi', max_tokens: 0}, /max_tokens must be between/],
      [{prompt: 'hi', model: 7}, /model must be a string/],
      [{prompt: 'hi', temperature: 2}, /unknown field temperature/],
    ]
    for (const [body, message] of cases) {
      const result = await send({body: JSON.stringify(body)})
      expect(result.status, JSON.stringify(body)).toBe(400)
      expect(JSON.parse(result.text).error.message).toMatch(message)
    }
  })

  it('answers 404 and 405 for unknown requests, routes and methods', async () => {
    expect((await send({method: 'GET', path: '/v1/requests/not-a-uuid'})).status).toBe(404)
    expect((await send({method: 'GET', path: '/v1/requests/%E0%A4%A'})).status).toBe(404)
    expect((await send({method: 'GET', path: '/v1/requests/7f1e0c1a-0000-4000-8000-000000000000'})).status).toBe(404)
    expect((await send({method: 'GET', path: '/v1/nothing'})).status).toBe(404)
    const wrongMethod = await send({method: 'GET', path: '/v1/generate'})
    expect(wrongMethod.status).toBe(405)
    expect(wrongMethod.headers.get('allow')).toBe('POST')
  })

  it('checks admin switch changes field by field', async () => {
    const patch = (body: unknown) =>
      send({method: 'PATCH', path: '/admin/switches', headers: adminHeaders(stack), body: JSON.stringify(body)})
    for (const [body, message] of [
      [{faults: {llmErrorRate: 2}}, /faults.llmErrorRate must be between 0 and 1/],
      [{faults: {nope: 1}}, /unknown field faults.nope/],
      [{interventions: {prioritisation: 'yes'}}, /interventions.prioritisation must be true or false/],
      [{faults: {pausedConsumers: 'projector'}}, /pausedConsumers must be an array/],
      [{faults: []}, /faults must be an object/],
      [[1], /JSON object/],
    ] as Array<[unknown, RegExp]>) {
      const result = await patch(body)
      expect(result.status, JSON.stringify(body)).toBe(400)
      expect(JSON.parse(result.text).error.message).toMatch(message)
    }
    const ok = await patch({interventions: {prioritisation: true}, faults: {dbDelayMs: 25}})
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.text)).toMatchObject({
      interventions: {prioritisation: true, gradualInvalidation: false},
      faults: {dbDelayMs: 25, llmErrorRate: 0},
    })
    const read = await send({method: 'GET', path: '/admin/switches', headers: adminHeaders(stack)})
    expect(JSON.parse(read.text).interventions.prioritisation).toBe(true)
    const metrics = await (await fetch(`${gateway}/metrics`)).text()
    expect(metricValue(metrics, 'streamctl_intervention{name="prioritisation"}')).toBe(1)
    await patch({interventions: {prioritisation: false}, faults: {dbDelayMs: 0}})
  })

  it('flushes every cache entry of the stack and nothing else', async () => {
    await stack.redis.set('cache:recommendations:u1', 'x')
    await stack.redis.set('cache:metadata:v1', 'y')
    await stack.redis.set('switches-like:other', 'z')
    const flushed = await send({method: 'POST', path: '/admin/actions/cache-flush', headers: adminHeaders(stack)})
    expect(flushed.status).toBe(200)
    expect(JSON.parse(flushed.text)).toEqual({deleted: 2})
    expect(await stack.redis.exists('cache:recommendations:u1', 'cache:metadata:v1')).toBe(0)
    expect(await stack.redis.get('switches-like:other')).toBe('z')
  })

  const ADMIN_CALLS = [
    {method: 'GET', path: AdminRoutes.switches},
    {method: 'PATCH', path: AdminRoutes.switches, body: '{"faults":{"dbDelayMs":0}}'},
    {method: 'POST', path: AdminRoutes.cacheFlush, body: '{}'},
    {method: 'POST', path: AdminRoutes.contentDrop, body: '{"count":1}'},
  ]

  it('answers the admin API only with its token: 401 without it, with a wrong one or with an API key', async () => {
    const token = stack.adminToken
    const sameLength = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    const refused: Array<[string, Record<string, string>]> = [
      ['no authorization', {'content-type': 'application/json'}],
      ['wrong token, same length', {'content-type': 'application/json', authorization: `Bearer ${sameLength}`}],
      ['wrong token, other length', {'content-type': 'application/json', authorization: `Bearer ${token}x`}],
      ['not bearer', {'content-type': 'application/json', authorization: `Basic ${token}`}],
      ["a user's API key", authorized(stack.users.alice!)],
    ]
    for (const call of ADMIN_CALLS) {
      for (const [what, headers] of refused) {
        const result = await send({...call, headers})
        expect(result.status, `${call.method} ${call.path}: ${what}`).toBe(401)
        expect(JSON.parse(result.text).error.message, what).toBe(
          'the admin API needs Authorization: Bearer <ADMIN_TOKEN>',
        )
        expect(result.headers.get('www-authenticate')).toBe('Bearer')
      }
    }
    // The right token: 200 (content-drop, which needs Kafka, is in streamflow.test.ts).
    for (const call of ADMIN_CALLS.slice(0, 3))
      expect((await send({...call, headers: adminHeaders(stack)})).status, `${call.method} ${call.path}`).toBe(200)
  })

  it('closes the admin API when the gateway has no ADMIN_TOKEN: 401 to everyone, saying why', async () => {
    const {startService} = await import('../helpers/services.js')
    const closed = await startService('gateway', {...stack.env, ADMIN_TOKEN: ''})
    try {
      for (const call of ADMIN_CALLS) {
        for (const headers of [
          {'content-type': 'application/json'},
          adminHeaders(stack),
          {'content-type': 'application/json', authorization: 'Bearer '},
        ]) {
          const response = await fetch(`${closed.url}${call.path}`, {
            method: call.method,
            headers,
            ...(call.body ? {body: call.body} : {}),
          })
          expect(response.status, `${call.method} ${call.path}`).toBe(401)
          expect(response.headers.get('www-authenticate')).toBe('Bearer')
          expect(((await response.json()) as {error: {message: string}}).error.message).toMatch(
            /^the admin API is closed: ADMIN_TOKEN is not set on the gateway/,
          )
        }
      }
      expect((await fetch(`${closed.url}/healthz`)).status).toBe(200)
    } finally {
      await closed.close()
    }
  })

  it('never answers 5xx to a corpus of seeded random bodies, and still works afterwards', async () => {
    const random = seededRandom(99)
    const values = () => [
      null,
      true,
      -1,
      0,
      // eslint-disable-next-line no-loss-of-precision -- a JSON number too large for a double, on purpose
      1e309,
      'x',
      '',
      [],
      {},
      {prompt: 1},
      'a'.repeat(Math.floor(random() * 5000)),
      Number.MAX_SAFE_INTEGER,
    ]
    const pick = () => values()[Math.floor(random() * 12)]
    const statuses = new Set<number>()
    const corpusSize = scaled(300)
    let serverErrors = 0
    let firstServerError: string | undefined
    for (let index = 0; index < corpusSize; index++) {
      const shape = Math.floor(random() * 4)
      const body =
        shape === 0
          ? JSON.stringify(pick())
          : shape === 1
            ? JSON.stringify({prompt: pick(), max_tokens: pick(), model: pick()})
            : shape === 2
              ? String.fromCharCode(...Array.from({length: 40}, () => Math.floor(random() * 256)))
              : JSON.stringify({prompt: 'ok', [String(pick())]: pick()})
      const result = await send({body})
      statuses.add(result.status)
      if (result.status >= 500) {
        serverErrors++
        firstServerError ??= body.slice(0, 80)
      }
    }
    printFigure('gateway-malformed-input', {
      trials: corpusSize,
      failures: serverErrors,
      statuses: [...statuses].sort().join('/'),
    })
    expect(serverErrors, firstServerError).toBe(0)
    expect([...statuses].every((status) => [202, 400, 413].includes(status))).toBe(true)
    expect((await generate(gateway, stack.users.alice!)).status).toBe(202)
  })

  it('sheds load with a fast 503 once its in-flight limit is reached', async () => {
    // A second gateway allowing one request in flight: a stalled upload holds the slot.
    const {startService} = await import('../helpers/services.js')
    const shedding = await startService('gateway', {...stack.env, MAX_IN_FLIGHT: '1'})
    try {
      const stalled = http.request(`${shedding.url}/v1/generate`, {
        method: 'POST',
        headers: {...authorized(stack.users.alice!), 'content-length': '100'},
      })
      stalled.on('error', () => {}) // the gateway cutting a stalled body short is what the test checks
      stalled.write('{"prompt":')
      const metricsUrl = `${shedding.url}/metrics`
      await eventually(
        async () =>
          metricValue(await (await fetch(metricsUrl)).text(), 'streamctl_in_flight_requests{service="gateway"}') === 1
            ? true
            : undefined,
        5000,
        'the stalled request to be in flight',
      )
      const shed = await fetch(`${shedding.url}/v1/generate`, {
        method: 'POST',
        headers: authorized(stack.users.alice!),
        body: JSON.stringify({prompt: 'hi'}),
      })
      expect(shed.status).toBe(503)
      expect(shed.headers.get('retry-after')).toBe('1')
      expect((await fetch(`${shedding.url}/healthz`)).status).toBe(200)
      expect(
        metricValue(await (await fetch(metricsUrl)).text(), 'streamctl_shed_requests_total{service="gateway"}'),
      ).toBe(1)
      stalled.destroy()
    } finally {
      await shedding.close()
    }
  })
})
