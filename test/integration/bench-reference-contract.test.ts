// A bench against a server that speaks the reference stack's HTTP contract (streamflow/api.ts): the
// built-in generate template polls status to completion (e2e), timeline events and variant
// switches go through the admin API at their times with its token, and /metrics gauges are scraped
// each interval. An admin API that refuses the token stops the bench before any load; one that
// starts refusing mid-run shows in the notes and the timeline.
import {afterEach, describe, expect, it} from 'vitest'
import {checkAdminAccess, runBench} from '../../src/lib/bench/run.js'
import {AdminRoutes, DEFAULT_SWITCHES, GatewayRoutes, Metrics} from '../../src/lib/streamflow/api.js'
import {profileFrom, readBody, startServer, type TestServer} from '../helpers/http-servers.js'
import {evaluateTargets} from '../../src/lib/sla/evaluate.js'
import {slaTargets} from '../helpers/run-records.js'

const users = [
  {id: 'u1', tier: 'free', apiKey: 'sctl_aaaaaaaaaaaa_key1'},
  {id: 'u2', tier: 'pro', apiKey: 'sctl_bbbbbbbbbbbb_key2'},
]
let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

interface AdminCall {
  atMs: number
  method: string
  path: string
  body: unknown
  authorization?: string
}

const ADMIN_TOKEN = 'contract-admin-token'

/**
 * A gateway stand-in: generate → 202, status completes on the third poll, admin routes recorded;
 * they answer 401 without `Bearer <adminToken>`, and to every call after the first `acceptedAdminCalls`
 * (`adminApi: false`: 404, a server without the admin API).
 */
async function contractServer(
  options: {adminToken?: string; acceptedAdminCalls?: number; adminApi?: boolean} = {},
): Promise<{
  server: TestServer
  admin: AdminCall[]
  polls: Map<string, number>
  firstLoadAt: () => number
  authorizations: Set<string>
}> {
  const {adminToken = ADMIN_TOKEN, acceptedAdminCalls = Number.POSITIVE_INFINITY, adminApi = true} = options
  const admin: AdminCall[] = []
  const polls = new Map<string, number>()
  const authorizations = new Set<string>()
  let firstLoad = 0
  let next = 0
  const started = Date.now()
  const instance = await startServer(async (request, response) => {
    const body = await readBody(request)
    const url = request.url!
    const json = (status: number, value: unknown) => {
      response.writeHead(status, {'content-type': 'application/json'})
      response.end(JSON.stringify(value))
    }
    if (url.startsWith('/admin/') && adminApi) {
      admin.push({
        atMs: Date.now() - started,
        method: request.method!,
        path: url,
        body: body ? JSON.parse(body) : undefined,
        ...(request.headers.authorization ? {authorization: request.headers.authorization} : {}),
      })
      if (request.headers.authorization !== `Bearer ${adminToken}` || admin.length > acceptedAdminCalls)
        return json(401, {
          error: {code: 'unauthorized', message: 'the admin API needs Authorization: Bearer <ADMIN_TOKEN>'},
        })
      return json(
        200,
        url === AdminRoutes.cacheFlush
          ? {deleted: 3}
          : url === AdminRoutes.contentDrop
            ? {produced: 5}
            : DEFAULT_SWITCHES,
      )
    }
    if (url === '/metrics') {
      response.end(
        `# TYPE ${Metrics.queueDepth} gauge\n${Metrics.queueDepth}{queue="inference_requests"} 7\n${Metrics.cacheHits}{cache="recs"} 80\n${Metrics.cacheMisses}{cache="recs"} 20\n${Metrics.breakerState}{breaker="llm"} 2\n`,
      )
      return
    }
    firstLoad ||= Date.now() - started
    authorizations.add(String(request.headers.authorization))
    if (request.method === 'POST' && url === GatewayRoutes.generate) {
      const id = `req-${++next}`
      return json(202, {request_id: id, status_url: GatewayRoutes.request(id), estimated_tokens: 10})
    }
    const status = /^\/v1\/requests\/(.+)$/.exec(url)
    if (status) {
      const count = (polls.get(status[1]!) ?? 0) + 1
      polls.set(status[1]!, count)
      return json(200, {request_id: status[1], status: count >= 3 ? 'completed' : 'running'})
    }
    if (url.startsWith('/v1/recommendations/'))
      return json(200, {user_id: url.split('/').at(-1), items: [], cache: 'hit'})
    json(404, {error: 'not found'})
  })
  server = instance
  return {server: instance, admin, polls, firstLoadAt: () => firstLoad, authorizations}
}

describe('bench against the reference contract', () => {
  it('generate polls status to completion and records e2e latency', async () => {
    const {server, polls, authorizations} = await contractServer()
    const profile = profileFrom(`
duration: 1s
rate: 20
requests:
  - use: generate
    poll: {interval: 50ms, timeout: 5s}
`)
    const variant = (await runBench({profile, targetUrl: server.url, users})).variants[0]!
    expect(variant.totals['generate.accept']!.counts).toMatchObject({requests: 20, succeeded: 20})
    expect(variant.totals.status!.counts).toMatchObject({requests: 60, succeeded: 60})
    expect(variant.totals.e2e!.counts).toMatchObject({requests: 20, succeeded: 20})
    // Three polls 50 ms apart after the accept: at least 150 ms end to end.
    expect(variant.totals.e2e!.latency.min).toBeGreaterThanOrEqual(150)
    expect([...polls.values()].every((count) => count === 3)).toBe(true)
    expect([...authorizations].every((value) => /^Bearer sctl_/.test(value))).toBe(true)
    // Goodput and amplification count the generates the user asked for, not the polls that follow
    // them: 20 accepted in a 1 s run, one attempt each (the 60 polls counted 80/s before).
    expect(variant.goodput).toBe(20)
    expect(variant.amplification).toBe(1)
  })

  it('follows only accepted generates end to end, counts a fallback answer as degraded, and an accepted generate that failed as an error', async () => {
    let next = 0
    const ends = new Map<string, Record<string, unknown>>()
    server = await startServer(async (request, response) => {
      await readBody(request)
      const json = (status: number, value: unknown) =>
        response.writeHead(status, {'content-type': 'application/json'}).end(JSON.stringify(value))
      if (request.method === 'POST' && request.url === GatewayRoutes.generate) {
        const n = ++next
        // Of every four: one refused (429), one that fails, one answered by the fallback, one answered.
        if (n % 4 === 0) return json(429, {error: {code: 'quota_exceeded', message: 'daily requests'}})
        const id = `req-${n}`
        ends.set(
          id,
          n % 4 === 1
            ? {status: 'failed', error: 'LLM call failed'}
            : {status: 'completed', output: 'ok', degraded: n % 4 === 2},
        )
        return json(202, {request_id: id, status_url: GatewayRoutes.request(id)})
      }
      const id = /^\/v1\/requests\/(.+)$/.exec(request.url!)?.[1]
      if (id && ends.has(id)) return json(200, {request_id: id, ...ends.get(id)})
      json(404, {error: 'not found'})
    })
    const profile = profileFrom(`
duration: 1s
rate: 20
retry: {policy: none}
requests:
  - use: generate
    poll: {interval: 50ms, timeout: 5s}
`)
    const run = await runBench({profile, targetUrl: server.url, users})
    const [variant] = run.variants
    expect(variant!.totals['generate.accept']!.counts).toMatchObject({
      requests: 20,
      succeeded: 15,
      failed: {http429: 5},
    })
    // The 5 refused generates have no end-to-end time: only the 15 accepted ones do.
    expect(variant!.totals.e2e!.counts).toMatchObject({requests: 15, succeeded: 10, degraded: 5, failed: {http5xx: 5}})
    const verdict = evaluateTargets(slaTargets('errors: rate<1%\n'), run.variants, undefined)
    // 10 of the 20 generates asked for failed: 5 refused, 5 accepted and failed in the end.
    expect(verdict.results[0]).toMatchObject({status: 'fail', observedText: '50%', observed: {samples: 20}})
    expect(variant!.goodput).toBe(10)
  })

  it('fires timeline events at their times through the admin API, and applies variant switches', async () => {
    const {server, admin, firstLoadAt} = await contractServer()
    const profile = profileFrom(`
duration: 2s
rate: 20
requests:
  - use: recommendations
timeline:
  - at: 500ms
    switches: {faults: {dbDelayMs: 300}}
  - at: 50%
    action: cache-flush
  - at: 1500ms
    action: content-drop
    count: 5
variants:
  - name: plain
  - name: gradual
    switches: {interventions: {gradualInvalidation: true}}
`)
    const run = await runBench({
      profile,
      targetUrl: server.url,
      adminUrl: server.url,
      adminToken: ADMIN_TOKEN,
      users,
      scrapeUrls: [`${server.url}/metrics`],
    })
    expect(run.variants.map((variant) => variant.name)).toEqual(['plain', 'gradual'])
    for (const variant of run.variants) {
      expect(variant.timeline.map((event) => [event.action, event.atMs, event.ok])).toEqual([
        ['switches', 500, true],
        ['cache-flush', 1000, true],
        ['content-drop', 1500, true],
      ])
      for (const event of variant.timeline) expect(Math.abs(event.firedAtMs - event.atMs)).toBeLessThan(150)
      expect(variant.gauges.length).toBeGreaterThanOrEqual(1)
      expect(variant.gauges[0]!.values).toMatchObject({
        'queue_depth.inference_requests': 7,
        cache_hits_total: 80,
        cache_misses_total: 20,
        'breaker_state.llm': 2,
      })
    }
    // What the admin API saw, in order: reset, [variant switches], the three events; twice; a final reset.
    const calls = admin.map((call) => `${call.method} ${call.path}`)
    expect(calls).toEqual([
      `PATCH ${AdminRoutes.switches}`,
      `PATCH ${AdminRoutes.switches}`,
      `POST ${AdminRoutes.cacheFlush}`,
      `POST ${AdminRoutes.contentDrop}`,
      `PATCH ${AdminRoutes.switches}`,
      `PATCH ${AdminRoutes.switches}`,
      `PATCH ${AdminRoutes.switches}`,
      `POST ${AdminRoutes.cacheFlush}`,
      `POST ${AdminRoutes.contentDrop}`,
      `PATCH ${AdminRoutes.switches}`,
    ])
    expect(admin[0]!.body).toEqual(DEFAULT_SWITCHES)
    expect(admin[1]!.body).toEqual({faults: {dbDelayMs: 300}})
    expect(admin[3]!.body).toEqual({count: 5})
    expect(admin[5]!.body).toEqual({interventions: {gradualInvalidation: true}})
    // The first fault lands about 500 ms after the load started.
    expect(Math.abs(admin[1]!.atMs - firstLoadAt() - 500)).toBeLessThan(200)
    // Every admin call carried the admin token, and only admin calls did.
    expect(admin.every((call) => call.authorization === `Bearer ${ADMIN_TOKEN}`)).toBe(true)
  })

  it("keeps a calibration's costs on through every variant and timeline reset, and clears them after the run", async () => {
    const {server, admin} = await contractServer()
    const profile = {
      ...profileFrom(`
duration: 1s
rate: 20
requests:
  - use: recommendations
timeline:
  - {at: 300ms, switches: {faults: {dbDelayMs: 300}}}
  - {at: 600ms, action: reset}
variants:
  - name: plain
  - name: cached
    switches: {interventions: {queryResultCache: true}}
`),
      calibration: {
        name: 'streamflow',
        file: 'calibrations/streamflow.yaml',
        costs: {vectorSearchMs: 150, recommenderWorkers: 40},
      },
    }
    const run = await runBench({profile, targetUrl: server.url, adminUrl: server.url, adminToken: ADMIN_TOKEN, users})
    const calibrated = {
      ...DEFAULT_SWITCHES,
      costs: {...DEFAULT_SWITCHES.costs, vectorSearchMs: 150, recommenderWorkers: 40},
    }
    const patches = admin.filter((call) => call.path === AdminRoutes.switches).map((call) => call.body)
    // Per variant: the reset to the calibration, [its switches], the fault, the timeline reset (to the calibration); then one clear.
    expect(patches).toEqual([
      calibrated,
      {faults: {dbDelayMs: 300}},
      calibrated,
      calibrated,
      {interventions: {queryResultCache: true}},
      {faults: {dbDelayMs: 300}},
      calibrated,
      DEFAULT_SWITCHES,
    ])
    expect(run.variants.map((variant) => variant.settings.calibration)).toEqual([
      {name: 'streamflow', costs: {vectorSearchMs: 150, recommenderWorkers: 40}},
      {name: 'streamflow', costs: {vectorSearchMs: 150, recommenderWorkers: 40}},
    ])
  })

  const switchingProfile = profileFrom(`
duration: 1s
rate: 20
requests:
  - use: recommendations
timeline:
  - {at: 500ms, action: cache-flush}
variants:
  - name: plain
  - name: gradual
    switches: {interventions: {gradualInvalidation: true}}
`)

  it('stops before any load, naming the token, when the admin API refuses it', async () => {
    const {server, admin, firstLoadAt} = await contractServer()
    for (const [adminToken, source] of [
      [undefined, 'a request without a token'],
      ['wrong', 'the token in STREAMCTL_ADMIN_TOKEN'],
    ] as const) {
      const options = {
        profile: switchingProfile,
        targetUrl: server.url,
        adminUrl: server.url,
        ...(adminToken ? {adminToken, adminTokenSource: source} : {}),
        users,
      }
      const expected = {
        code: 'ADMIN_UNAUTHORIZED',
        message: `the admin API at ${server.url} refused ${source}: HTTP 401: the admin API needs Authorization: Bearer <ADMIN_TOKEN>`,
      }
      await expect(checkAdminAccess(options)).rejects.toMatchObject(expected)
      await expect(runBench(options)).rejects.toMatchObject(expected)
    }
    expect(firstLoadAt()).toBe(0)
    expect(admin.map((call) => call.method)).toEqual(['GET', 'PATCH', 'GET', 'PATCH'])
  })

  it('stops when a variant cannot get its switches, rather than measure it without them', async () => {
    const {server} = await contractServer({adminApi: false})
    const notes: string[] = []
    // The target has no admin API: a reset that fails is a note for the variant without switches; the next variant cannot run as described.
    const run = runBench({
      profile: switchingProfile,
      targetUrl: server.url,
      adminUrl: server.url,
      adminToken: ADMIN_TOKEN,
      users,
      onNote: (note) => notes.push(note),
    })
    await expect(run).rejects.toMatchObject({
      code: 'ADMIN_ACTION_FAILED',
      message: `variant gradual: its switches could not be set through the admin API at ${server.url} (HTTP 404), so it would not measure what it describes`,
    })
    expect(notes[0]).toMatch(/^plain: the switches could not be reset through the admin API at .* \(HTTP 404\)$/)
  })

  it('shows a timeline event refused mid-run in the notes and the timeline', async () => {
    // The token is accepted for the first reset, then refused (the gateway restarted with another).
    const {server} = await contractServer({acceptedAdminCalls: 1})
    const notes: string[] = []
    const profile = profileFrom(`
duration: 1s
rate: 20
requests:
  - use: recommendations
timeline:
  - {at: 500ms, action: cache-flush}
`)
    const run = await runBench({
      profile,
      targetUrl: server.url,
      adminUrl: server.url,
      adminToken: ADMIN_TOKEN,
      users,
      onNote: (note) => notes.push(note),
    })
    const [event] = run.variants[0]!.timeline
    expect(event).toMatchObject({
      action: 'cache-flush',
      ok: false,
      status: 401,
      error: 'HTTP 401: the admin API needs Authorization: Bearer <ADMIN_TOKEN>',
    })
    expect(notes).toContainEqual(
      expect.stringMatching(
        /^default: cache-flush at 0\.\ds failed \(HTTP 401: the admin API needs Authorization: Bearer <ADMIN_TOKEN>\)$/,
      ),
    )
    expect(notes).toContainEqual(expect.stringMatching(/^the switches could not be reset after the run .*\(HTTP 401/))
  })
})
