// The token-quota inference path end to end against real PostgreSQL, Redis and RabbitMQ: gateway →
// inference_requests → worker → llm-sim → inference_results → collector, and the status a client
// polls on the way (queued → running → completed).
import amqp from 'amqplib'
import {randomUUID} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseApiKey} from '../../src/lib/stack/credentials.js'
import {admitRequest, quotaPeriods} from '../../src/services/quota/quota.js'
import {insertRequests} from '../../src/services/gateway/request-rows.js'
import {eventually, metricValue} from '../helpers/services.js'
import {TRIALS, runTrials} from '../helpers/trials.js'
import {
  adminHeaders,
  authorized,
  createInferenceStack,
  generate,
  quotaTotals,
  settledTotals,
  raceClient,
  TEST_TIERS,
  type InferenceStack,
} from '../helpers/inference-stack.js'

const limitedUsers = Array.from({length: TRIALS}, (_, index) => `limited${index}`)

describe('inference path', () => {
  let stack: InferenceStack
  let gateway: string

  beforeAll(async () => {
    stack = await createInferenceStack({
      users: {
        roomy: 'roomy',
        tiny: 'tiny',
        bursty: 'bursty',
        ...Object.fromEntries(limitedUsers.map((name) => [name, 'limited'])),
      },
    })
    await stack.start('llm-sim', {
      LLM_LATENCY_MIN_MS: '150',
      LLM_LATENCY_MAX_MS: '250',
      LLM_LATENCY_MEDIAN_MS: '200',
      LLM_RPM_LIMIT: '100000',
    })
    await stack.start('collector')
    await stack.start('worker', {WORKER_PREFETCH: '64'})
    gateway = (
      await stack.start('gateway', {MAX_IN_FLIGHT: '4096', DISPATCH_SWEEP_MS: '200', DISPATCH_GRACE_MS: '1000'})
    ).url
  })
  afterAll(async () => {
    await stack?.close()
  })

  const patchSwitches = (fields: Record<string, unknown>) =>
    fetch(`${gateway}/admin/switches`, {method: 'PATCH', headers: adminHeaders(stack), body: JSON.stringify(fields)})
  const status = async (user: keyof InferenceStack['users'], id: string) => {
    const response = await fetch(`${gateway}/v1/requests/${id}`, {headers: authorized(stack.users[user]!)})
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads whatever fields the gateway answered
    return {status: response.status, body: (await response.json()) as Record<string, any>}
  }

  it('accepts a generate with 202, reserves the estimate, then completes with usage and settles the quota', async () => {
    const accepted = await generate(gateway, stack.users.roomy!)
    expect(accepted.status).toBe(202)
    const id = accepted.body.request_id as string
    expect(accepted.body).toEqual({
      request_id: id,
      status_url: `/v1/requests/${id}`,
      estimated_tokens: expect.any(Number),
    })
    const estimate = accepted.body.estimated_tokens as number
    expect(estimate).toBeGreaterThan(64)
    // Reserved while the LLM works (it takes at least 150 ms).
    expect(Number(await stack.redis.hget('quota:open', id))).toBe(estimate)
    const first = await status('roomy', id)
    expect(first.status).toBe(200)
    // The worker may have taken it already.
    expect(['queued', 'running']).toContain(first.body.status)

    const done = await eventually(
      async () => {
        const polled = await status('roomy', id)
        return polled.body.status === 'completed' ? polled.body : undefined
      },
      15_000,
      'the request to complete',
    )
    expect(done.usage.total_tokens).toBe(done.usage.prompt_tokens + done.usage.completion_tokens)
    expect(done.usage.completion_tokens).toBeLessThanOrEqual(64)
    expect(done.output.length).toBeGreaterThan(0)
    expect(done.degraded).toBe(false)
    // Settled: the reservation released, the actual usage charged, one usage_log row.
    await eventually(async () => ((await stack.redis.hexists('quota:open', id)) === 0 ? true : undefined))
    const log = await stack.pg.query(
      'SELECT estimated_tokens, actual_tokens, outcome FROM usage_log WHERE request_id = $1',
      [id],
    )
    expect(log.rows).toEqual([
      {estimated_tokens: estimate, actual_tokens: done.usage.total_tokens, outcome: 'completed'},
    ])
    const totals = await quotaTotals(stack)
    expect(totals).toMatchObject({reserved: 0, open: 0, used: totals.usageLogSum})
    // RabbitMQ confirmed it, so it left the pending-dispatch set.
    expect(await stack.redis.zcard('dispatch:pending')).toBe(0)
    // Someone else's request is not found with another key.
    expect((await status('tiny', id)).status).toBe(404)
    // Polls are answered from the Redis copy; once it expires, from the row, identically.
    expect(JSON.parse((await stack.redis.get(`request:${id}`))!)).toMatchObject({
      status: 'completed',
      usage: done.usage,
    })
    await stack.redis.del(`request:${id}`)
    expect((await status('roomy', id)).body).toEqual(done)
  })

  it("takes a calibration's costs through the admin API: checked field by field, and followed by the LLM simulator at once", async () => {
    const bad = await patchSwitches({costs: {recommenderWorkers: 1.5, rankingMs: -1}})
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as {error: {message: string}}).error.message).toMatch(
      /^costs\.(recommenderWorkers must be a whole number, not 1\.5|rankingMs must be between 0 and 60000)$/,
    )
    expect((await patchSwitches({costs: {llmRpm: 1}})).status).toBe(400)
    const llm = stack.services['llm-sim']!.url
    const chat = () =>
      fetch(`${llm}/v1/chat/completions`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({model: 'sim', messages: [{role: 'user', content: 'hi'}], max_tokens: 4}),
      })
    expect(
      (await patchSwitches({costs: {llmRpmLimit: 1, llmLatencyMedianMs: 40, llmLatencyMinMs: 40, llmLatencyMaxMs: 40}}))
        .status,
    ).toBe(200)
    try {
      await eventually(
        async () =>
          metricValue(await (await fetch(`${llm}/metrics`)).text(), 'streamctl_cost{name="llmRpmLimit"}') === 1
            ? true
            : undefined,
        5000,
        'llm-sim to see the costs',
      )
      // The window of the last minute holds at least this call once it is admitted: the next is refused.
      const answers = [await chat(), await chat()]
      const refused = answers.find((answer) => answer.status === 429)
      expect(refused, 'a second call within the minute').toBeDefined()
      expect(((await refused!.json()) as {error: {message: string}}).error.message).toBe(
        'rate limit of 1 requests per minute reached',
      )
      const admitted = answers.find((answer) => answer.status === 200)
      if (admitted) expect(admitted.headers.get('x-sim-latency-ms')).toBe('40.0')
    } finally {
      expect(
        (await patchSwitches({costs: {llmRpmLimit: 0, llmLatencyMedianMs: 0, llmLatencyMinMs: 0, llmLatencyMaxMs: 0}}))
          .status,
      ).toBe(200)
    }
    await eventually(async () => ((await chat()).status === 200 ? true : undefined), 5000, 'the env limit back')
  })

  it('shows a request running while the worker has it, and a redelivery never hides its final state', async () => {
    const llmMetrics = async () => (await fetch(`${stack.services['llm-sim']!.url}/metrics`)).text()
    const llmCalls = async () =>
      metricValue(
        await llmMetrics(),
        'streamctl_http_request_duration_seconds_count{service="llm-sim",route="/v1/chat/completions",status="200"}',
      ) ?? 0
    // A slow LLM (5 × 150–250 ms) leaves the request running long enough for polls to see it.
    expect((await patchSwitches({faults: {llmLatencyMultiplier: 5}})).status).toBe(200)
    try {
      await eventually(
        async () =>
          metricValue(await llmMetrics(), 'streamctl_fault{name="llmLatencyMultiplier"}') === 5 ? true : undefined,
        5000,
        'llm-sim to see the fault',
      )
      const id = (await generate(gateway, stack.users.roomy!)).body.request_id as string
      const seen: string[] = []
      const done = await eventually(
        async () => {
          const polled = await status('roomy', id)
          if (seen.at(-1) !== polled.body.status) seen.push(polled.body.status)
          return polled.body.status === 'completed' ? polled.body : undefined
        },
        30_000,
        'the request to complete',
      )
      expect(seen).toEqual(seen[0] === 'queued' ? ['queued', 'running', 'completed'] : ['running', 'completed'])
      // The copy keeps its TTL and owner through every change.
      expect(await stack.redis.ttl(`request:${id}`)).toBeGreaterThan(0)
      expect((await status('tiny', id)).status).toBe(404)

      // RabbitMQ redelivers the request (the same message again): the worker calls the LLM a second
      // time, and every poll meanwhile still says completed.
      const {rows} = await stack.pg.query(
        "SELECT request_id, user_id, tier, model, prompt, max_tokens, estimated_tokens, to_char(quota_day, 'YYYY-MM-DD') AS quota_day, quota_month, priority FROM requests WHERE request_id = $1",
        [id],
      )
      const callsBefore = await llmCalls()
      const connection = await amqp.connect(stack.vhost.url)
      try {
        const channel = await connection.createConfirmChannel()
        channel.sendToQueue('inference_requests', Buffer.from(JSON.stringify(rows[0])), {
          persistent: true,
          messageId: id,
          priority: 0,
        })
        await channel.waitForConfirms()
      } finally {
        await connection.close()
      }
      const polls = new Set<string>()
      await eventually(
        async () => {
          polls.add((await status('roomy', id)).body.status)
          return (await llmCalls()) > callsBefore ? true : undefined
        },
        15_000,
        'the worker to call the LLM for the redelivered request',
      )
      expect([...polls]).toEqual(['completed'])
      expect((await status('roomy', id)).body).toEqual(done)
    } finally {
      await patchSwitches({faults: {llmLatencyMultiplier: 1}})
    }
  })

  it('queues a request that was stored but never published, and releases a reservation that was never stored', async () => {
    // What a gateway killed between its steps leaves behind: two admitted requests (reserved, in the
    // pending-dispatch set), one of them stored as queued, neither published.
    const user = stack.users.roomy!
    const tier = TEST_TIERS.find((candidate) => candidate.name === 'roomy')!
    const keyId = parseApiKey(user.apiKey)!.keyId
    const now = new Date()
    const [stored, unstored] = [randomUUID(), randomUUID()]
    for (const requestId of [stored, unstored])
      expect(
        await admitRequest(stack.redis, {keyId, userId: user.userId, tier, estimate: 80, requestId, now}),
      ).toMatchObject({admitted: true})
    const {day, month} = quotaPeriods(now)
    await insertRequests(stack.pg, [
      {
        keyId,
        createdAt: now,
        message: {
          request_id: stored,
          user_id: user.userId,
          tier: 'roomy',
          model: 'default',
          prompt: 'Recommend one film.',
          max_tokens: 16,
          estimated_tokens: 80,
          quota_day: day,
          quota_month: month,
          priority: 0,
        },
      },
    ])
    expect(await stack.redis.zcard('dispatch:pending')).toBe(2)

    // The running gateway's sweeper finds both once they are older than DISPATCH_GRACE_MS.
    const done = await eventually(
      async () => {
        const polled = await status('roomy', stored)
        return polled.body.status === 'completed' ? polled.body : undefined
      },
      15_000,
      'the stranded request to be queued and completed',
    )
    expect(done.usage.total_tokens).toBeGreaterThan(0)
    expect(await stack.redis.hexists('quota:open', unstored)).toBe(0)
    await eventually(
      async () => ((await stack.redis.zcard('dispatch:pending')) === 0 ? true : undefined),
      5000,
      'the pending-dispatch set to empty',
    )
    const totals = await eventually(
      async () => {
        const current = await quotaTotals(stack)
        return current.open === 0 ? current : undefined
      },
      10_000,
      'every reservation to settle',
    )
    expect(totals).toMatchObject({reserved: 0, used: totals.usageLogSum})
    const usage = await stack.pg.query('SELECT request_id FROM usage_log WHERE request_id = ANY($1::uuid[])', [
      [stored, unstored],
    ])
    expect(usage.rows).toEqual([{request_id: stored}])
  })

  it('answers 429 with Retry-After and X-RateLimit headers when a daily quota or the rate limit is exceeded', async () => {
    for (let index = 0; index < 2; index++) expect((await generate(gateway, stack.users.tiny!)).status).toBe(202)
    const refused = await generate(gateway, stack.users.tiny!)
    expect(refused.status).toBe(429)
    expect(refused.body).toMatchObject({error: {code: 'quota_exceeded'}})
    expect(refused.headers.get('x-ratelimit-limit')).toBe('2')
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0')
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(86_400)
    expect(Number(refused.headers.get('x-ratelimit-reset'))).toBe(retryAfter)

    const burst = await Promise.all(Array.from({length: 6}, () => generate(gateway, stack.users.bursty!)))
    expect(burst.filter((result) => result.status === 202)).toHaveLength(3)
    const limited = burst.filter((result) => result.status === 429)
    expect(limited).toHaveLength(3)
    for (const result of limited) {
      expect(result.body).toMatchObject({error: {code: 'rate_limited'}})
      expect(result.headers.get('x-ratelimit-limit')).toBe('3')
      expect(Number(result.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    }
  })

  // PRODUCT.md §7: every trial uses a fresh user of the 100-request tier; RELIABILITY_TRIALS repeats it.
  it('admits exactly 100 of 1,000 concurrent generates against a limit of 100, and settles every one', async () => {
    const STAGES = ['auth', 'admit', 'store', 'dispatch']
    const stageCounts = async () => {
      const text = await (await fetch(`${gateway}/metrics`)).text()
      return STAGES.map((stage) => metricValue(text, `streamctl_generate_stage_seconds_count{stage="${stage}"}`) ?? 0)
    }
    const countsBefore = await stageCounts()
    let admittedInAll = 0
    await runTrials('quota-race', limitedUsers.length, async (trial) => {
      const user = stack.users[limitedUsers[trial]!]!
      const client = raceClient()
      const results = await Promise.all(
        Array.from({length: 1000}, () => generate(gateway, user, {prompt: 'Tag this video.', max_tokens: 16}, client)),
      )
      await client.close()
      const byStatus = results.reduce<Record<number, number>>(
        (counts, result) => ({...counts, [result.status]: (counts[result.status] ?? 0) + 1}),
        {},
      )
      expect(byStatus).toEqual({202: 100, 429: 900})
      const rows = await stack.pg.query('SELECT count(*)::int AS n FROM requests WHERE user_id = $1', [user.userId])
      expect(rows.rows[0].n).toBe(100)
      const totals = await settledTotals(stack, 60_000, 'every admitted request to settle')
      expect(totals.reserved).toBe(0)
      expect(totals.used).toBe(totals.usageLogSum)
      const settled = await stack.pg.query('SELECT count(*)::int AS n FROM usage_log WHERE user_id = $1', [user.userId])
      expect(settled.rows[0].n).toBe(100)
      admittedInAll += byStatus[202] ?? 0
      return {admitted: byStatus[202] ?? 0, concurrent: 1000}
    })
    // Every accepted generate, and only those, is timed stage by stage in the gateway's /metrics.
    const countsAfter = await stageCounts()
    expect(countsAfter.map((count, index) => count - countsBefore[index]!)).toEqual(STAGES.map(() => admittedInAll))
    const metrics = await (await fetch(`${stack.services.worker!.url}/metrics`)).text()
    expect(metricValue(metrics, 'streamctl_tokens_processed_total{kind="completion"}')).toBeGreaterThan(0)
  })

  it('pauses the collector while it is listed in pausedConsumers: results wait in their queue, then settle on resume', async () => {
    const patch = (faults: Record<string, unknown>) => patchSwitches({faults})
    const collectorMetrics = async () => (await fetch(`${stack.services.collector!.url}/metrics`)).text()
    expect((await patch({pausedConsumers: ['collector']})).status).toBe(200)
    await eventually(
      async () =>
        metricValue(await collectorMetrics(), 'streamctl_fault{name="pausedConsumers"}') === 1 ? true : undefined,
      5000,
      'the collector to see the fault',
    )
    const ids = await Promise.all(
      [1, 2, 3].map(async () => (await generate(gateway, stack.users.roomy!)).body.request_id as string),
    )
    await eventually(
      async () =>
        metricValue(await collectorMetrics(), 'streamctl_queue_depth{queue="inference_results"}') === 3
          ? true
          : undefined,
      15_000,
      'three results waiting',
    )
    // The worker has called the LLM for them; settling waits for the collector.
    for (const id of ids) expect((await status('roomy', id)).body.status).toBe('running')
    expect((await patch({pausedConsumers: []})).status).toBe(200)
    for (const id of ids)
      await eventually(
        async () => ((await status('roomy', id)).body.status === 'completed' ? true : undefined),
        15_000,
        'settled after resume',
      )
    expect(await quotaTotals(stack)).toMatchObject({reserved: 0, open: 0})
  })
})
