// The worker under LLM trouble, switched through the gateway's admin API: retries until the last
// attempt then the dead-letter queue and a refund; per-attempt timeouts; and, with the breaker +
// fallback intervention on, an open breaker serving degraded answers without calling the LLM, and a
// rate-limited LLM answered degraded at once.
import amqp from 'amqplib'
import http from 'node:http'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ServiceMetrics} from '../../src/services/telemetry/metrics.js'
import {CircuitBreaker} from '../../src/services/worker/breaker.js'
import {readWorkerConfig} from '../../src/services/worker/config.js'
import {processRequest} from '../../src/services/worker/process-request.js'
import {eventually, metricValue} from '../helpers/services.js'
import {
  adminHeaders,
  authorized,
  createInferenceStack,
  generate,
  quotaTotals,
  type InferenceStack,
} from '../helpers/inference-stack.js'

describe('worker resilience', () => {
  let stack: InferenceStack
  let gateway: string

  beforeAll(async () => {
    stack = await createInferenceStack({users: {alice: 'roomy', vip: 'vip'}})
    await stack.start('llm-sim', {
      LLM_LATENCY_MIN_MS: '20',
      LLM_LATENCY_MAX_MS: '20',
      LLM_LATENCY_MEDIAN_MS: '20',
      LLM_RPM_LIMIT: '100000',
    })
    await stack.start('collector')
    await stack.start('worker', {
      LLM_MAX_ATTEMPTS: '3',
      LLM_BACKOFF_BASE_MS: '20',
      LLM_BACKOFF_MAX_MS: '100',
      LLM_TIMEOUT_MS: '300',
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_OPEN_MS: '600000',
    })
    gateway = (await stack.start('gateway')).url
  })
  afterAll(async () => {
    await stack?.close()
  })

  const metrics = async (service: string) => (await fetch(`${stack.services[service]!.url}/metrics`)).text()
  const llmAnswers = async (status: number) =>
    metricValue(
      await metrics('llm-sim'),
      `streamctl_http_request_duration_seconds_count{service="llm-sim",route="/v1/chat/completions",status="${status}"}`,
    ) ?? 0

  /** PATCHes the switches and waits until the worker and llm-sim show them. */
  async function switchTo(
    patch: {faults?: Record<string, unknown>; interventions?: Record<string, unknown>},
    check: {service: string; sample: string; value: number}[],
  ) {
    const response = await fetch(`${gateway}/admin/switches`, {
      method: 'PATCH',
      headers: adminHeaders(stack),
      body: JSON.stringify(patch),
    })
    expect(response.status).toBe(200)
    for (const {service, sample, value} of check)
      await eventually(
        async () => (metricValue(await metrics(service), sample) === value ? true : undefined),
        5000,
        `${sample} = ${value} on ${service}`,
      )
  }

  const finished = (id: string, user = stack.users.alice!) =>
    eventually(
      async () => {
        const response = await fetch(`${gateway}/v1/requests/${id}`, {headers: authorized(user)})
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads whatever fields the gateway answered
        const body = (await response.json()) as Record<string, any>
        return body.status === 'completed' || body.status === 'failed' ? body : undefined
      },
      20_000,
      `request ${id} to finish`,
    )

  async function deadLettered(): Promise<Array<{request_id: string}>> {
    const connection = await amqp.connect(stack.vhost.url)
    try {
      const channel = await connection.createChannel()
      const messages: Array<{request_id: string}> = []
      for (;;) {
        const message = await channel.get('inference_requests.dlq', {noAck: true})
        if (!message) break
        messages.push(JSON.parse(message.content.toString()))
      }
      return messages
    } finally {
      await connection.close()
    }
  }

  it('retries an erroring LLM up to the last attempt, then dead-letters the request and refunds its tokens', async () => {
    await switchTo({faults: {llmErrorRate: 1}}, [
      {service: 'llm-sim', sample: 'streamctl_fault{name="llmErrorRate"}', value: 1},
    ])
    const before = await llmAnswers(500)
    const ids = await Promise.all(
      [1, 2].map(async () => (await generate(gateway, stack.users.alice!)).body.request_id as string),
    )
    for (const id of ids) {
      const result = await finished(id)
      expect(result.status).toBe('failed')
      expect(result.error).toMatch(/after 3 attempt\(s\): LLM answered 500/)
    }
    expect((await llmAnswers(500)) - before).toBe(6)
    const rows = await stack.pg.query('SELECT attempts FROM requests WHERE request_id = ANY($1::uuid[])', [ids])
    expect(rows.rows.map((row) => row.attempts)).toEqual([3, 3])
    expect((await deadLettered()).map((message) => message.request_id).sort()).toEqual([...ids].sort())
    const usage = await stack.pg.query(
      'SELECT actual_tokens, outcome FROM usage_log WHERE request_id = ANY($1::uuid[])',
      [ids],
    )
    expect(usage.rows).toEqual([
      {actual_tokens: 0, outcome: 'failed'},
      {actual_tokens: 0, outcome: 'failed'},
    ])
    expect(await quotaTotals(stack)).toMatchObject({reserved: 0, open: 0})
  })

  it('gives up an attempt after its timeout', async () => {
    await switchTo({faults: {llmErrorRate: 0, llmLatencyMultiplier: 50}}, [
      {service: 'llm-sim', sample: 'streamctl_fault{name="llmLatencyMultiplier"}', value: 50},
    ])
    const {body} = await generate(gateway, stack.users.alice!)
    const result = await finished(body.request_id as string)
    expect(result.status).toBe('failed')
    expect(result.error).toMatch(/after 3 attempt\(s\): no answer within 300 ms/)
    await switchTo({faults: {llmLatencyMultiplier: 1}}, [
      {service: 'llm-sim', sample: 'streamctl_fault{name="llmLatencyMultiplier"}', value: 1},
    ])
    const healthy = await finished((await generate(gateway, stack.users.alice!)).body.request_id as string)
    expect(healthy).toMatchObject({status: 'completed', degraded: false})
  })

  it('opens the breaker under an error storm and serves the degraded fallback when that intervention is on', async () => {
    await switchTo({faults: {llmErrorRate: 1}, interventions: {llmBreakerFallback: true}}, [
      {service: 'worker', sample: 'streamctl_intervention{name="llmBreakerFallback"}', value: 1},
      {service: 'llm-sim', sample: 'streamctl_fault{name="llmErrorRate"}', value: 1},
    ])
    const first = await finished((await generate(gateway, stack.users.alice!)).body.request_id as string)
    expect(first).toMatchObject({status: 'completed', degraded: true, usage: {total_tokens: 0}})
    expect(metricValue(await metrics('worker'), 'streamctl_breaker_state{breaker="llm"}')).toBe(2)
    // While open, no call reaches the LLM: answers are immediate fallbacks.
    const calls = await llmAnswers(500)
    const rest = await Promise.all(
      [1, 2, 3].map(async () => finished((await generate(gateway, stack.users.alice!)).body.request_id as string)),
    )
    for (const result of rest)
      expect(result).toMatchObject({status: 'completed', degraded: true, error: 'degraded: circuit open'})
    expect(await llmAnswers(500)).toBe(calls)
    const attempts = await stack.pg.query("SELECT attempts FROM requests WHERE error = 'degraded: circuit open'")
    expect(attempts.rows.every((row) => row.attempts === 0)).toBe(true)
    // Switched off, the breaker is forgotten.
    await switchTo({faults: {llmErrorRate: 0}, interventions: {llmBreakerFallback: false}}, [
      {service: 'worker', sample: 'streamctl_breaker_state{breaker="llm"}', value: 0},
    ])
    expect(await quotaTotals(stack)).toMatchObject({reserved: 0, open: 0})
  })

  it('serves higher tiers first when prioritisation is switched on', async () => {
    await stack.stop('worker')
    await switchTo({interventions: {prioritisation: true}}, [
      {service: 'gateway', sample: 'streamctl_intervention{name="prioritisation"}', value: 1},
    ])
    const low = await Promise.all(
      [1, 2, 3].map(async () => (await generate(gateway, stack.users.alice!)).body.request_id as string),
    )
    const high = await Promise.all(
      [1, 2, 3].map(async () => (await generate(gateway, stack.users.vip!)).body.request_id as string),
    )
    await stack.start('worker', {WORKER_PREFETCH: '1'})
    for (const id of low) expect((await finished(id)).status).toBe('completed')
    for (const id of high) expect((await finished(id, stack.users.vip!)).status).toBe('completed')
    const order = await stack.pg.query(
      'SELECT request_id, priority FROM requests WHERE request_id = ANY($1::uuid[]) ORDER BY completed_at',
      [[...low, ...high]],
    )
    expect(order.rows.map((row) => row.priority)).toEqual([9, 9, 9, 1, 1, 1])
    await switchTo({interventions: {prioritisation: false}}, [
      {service: 'gateway', sample: 'streamctl_intervention{name="prioritisation"}', value: 0},
    ])
  })
})

describe('worker fallback on a rate-limited LLM', () => {
  it('answers degraded at once on a 429 when the fallback is on, instead of waiting its Retry-After and retrying', async () => {
    // A real LLM endpoint that is always over its limit, asking for a 10 s wait.
    let calls = 0
    const server = http.createServer((request, response) => {
      calls++
      request.resume()
      response
        .writeHead(429, {'retry-after': '10', 'content-type': 'application/json'})
        .end('{"error":{"message":"rate limited"}}')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = server.address() as {port: number}
      const config = readWorkerConfig({LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_MAX_ATTEMPTS: '4'})
      const request = {
        request_id: '00000000-0000-4000-8000-000000000001',
        user_id: 'u',
        tier: 'free',
        model: 'default',
        prompt: 'hi',
        max_tokens: 8,
        estimated_tokens: 10,
        quota_day: '2026-12-07',
        quota_month: '2026-12',
        priority: 0,
      }
      const result = await processRequest(request, {
        config,
        metrics: new ServiceMetrics('worker'),
        breaker: new CircuitBreaker(5, 10_000),
        fallbackOn: () => true,
      })
      expect(result).toMatchObject({status: 'completed', degraded: true, attempts: 1, usage: {total_tokens: 0}})
      expect(calls).toBe(1)
    } finally {
      server.close()
    }
  })

  it('answers degraded once a call outlasts LLM_FALLBACK_TIMEOUT_MS when the fallback is on, and waits for it when off', async () => {
    // A real LLM endpoint that answers after 800 ms.
    const server = http.createServer((request, response) => {
      request.resume()
      setTimeout(
        () =>
          response.writeHead(200, {'content-type': 'application/json'}).end(
            JSON.stringify({
              choices: [{message: {content: 'slow answer'}}],
              usage: {prompt_tokens: 1, completion_tokens: 2, total_tokens: 3},
            }),
          ),
        800,
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const {port} = server.address() as {port: number}
      const config = readWorkerConfig({LLM_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_FALLBACK_TIMEOUT_MS: '200'})
      const request = {
        request_id: '00000000-0000-4000-8000-000000000002',
        user_id: 'u',
        tier: 'free',
        model: 'default',
        prompt: 'hi',
        max_tokens: 8,
        estimated_tokens: 10,
        quota_day: '2026-12-07',
        quota_month: '2026-12',
        priority: 0,
      }
      const deps = (fallbackOn: boolean) => ({
        config,
        metrics: new ServiceMetrics('worker'),
        breaker: new CircuitBreaker(5, 10_000),
        fallbackOn: () => fallbackOn,
      })
      expect(await processRequest(request, deps(true))).toMatchObject({
        status: 'completed',
        degraded: true,
        attempts: 1,
        error: 'degraded: no answer within 200 ms',
      })
      expect(await processRequest(request, deps(false))).toMatchObject({
        status: 'completed',
        degraded: false,
        output: 'slow answer',
        attempts: 1,
      })
    } finally {
      server.close()
    }
  })
})
