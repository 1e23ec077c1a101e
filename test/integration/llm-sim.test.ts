// llm-sim as a client sees it: the OpenAI chat-completions shape, the RPM limit, the seeded latency
// model, and faults switched through Redis.
import {afterAll, describe, expect, it} from 'vitest'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {SwitchesStore} from '../../src/services/runtime/switches.js'
import {dropRedisPrefix, uniqueName} from '../helpers/infra.js'
import {eventually, metricValue, startService} from '../helpers/services.js'

const REDIS_URL = 'redis://127.0.0.1:6379'
const prefix = `${uniqueName('llmsim')}:`
const running: RunningService[] = []

async function chat(service: RunningService, content = 'Summarise the plot of a film.', maxTokens = 64) {
  const started = performance.now()
  const response = await fetch(`${service.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({model: 'sim', messages: [{role: 'user', content}], max_tokens: maxTokens}),
  })
  const body = (await response.json()) as {
    usage?: {prompt_tokens: number; completion_tokens: number; total_tokens: number}
    choices?: Array<{message: {content: string}}>
  }
  return {status: response.status, headers: response.headers, body, elapsedMs: performance.now() - started}
}

async function sim(env: Record<string, string>): Promise<RunningService> {
  const service = await startService('llm-sim', {REDIS_URL, REDIS_KEY_PREFIX: prefix, ...env})
  running.push(service)
  return service
}

describe('llm-sim', () => {
  afterAll(async () => {
    await Promise.all(running.map((service) => service.close()))
    await dropRedisPrefix(REDIS_URL, prefix)
  })

  it('answers OpenAI chat completions with counted tokens, capped by max_tokens', async () => {
    const service = await sim({LLM_LATENCY_MIN_MS: '1', LLM_LATENCY_MAX_MS: '5', LLM_LATENCY_MEDIAN_MS: '2'})
    const first = await chat(service, 'a'.repeat(40), 8)
    expect(first.status).toBe(200)
    expect(first.body.usage).toEqual({prompt_tokens: 3 + 10, completion_tokens: 8, total_tokens: 21})
    const again = await chat(service, 'a'.repeat(40), 8)
    expect(again.body.choices![0]!.message.content).toBe(first.body.choices![0]!.message.content)
    const bad = await fetch(`${service.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({messages: 'hi'}),
    })
    expect(bad.status).toBe(400)
  })

  it('answers 429 with Retry-After over its requests-per-minute limit, and counts them in /metrics', async () => {
    const service = await sim({
      LLM_RPM_LIMIT: '5',
      LLM_LATENCY_MIN_MS: '1',
      LLM_LATENCY_MAX_MS: '5',
      LLM_LATENCY_MEDIAN_MS: '2',
    })
    const results = await Promise.all(Array.from({length: 8}, () => chat(service)))
    expect(results.filter((result) => result.status === 200)).toHaveLength(5)
    const limited = results.filter((result) => result.status === 429)
    expect(limited).toHaveLength(3)
    for (const result of limited) {
      const retryAfter = Number(result.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(60)
    }
    const metrics = await (await fetch(`${service.url}/metrics`)).text()
    expect(metricValue(metrics, 'streamctl_llm_rate_limited_total')).toBe(3)
  })

  it('keeps latency within its calibrated 200 ms–2 s model, and the same seed gives the same sequence', async () => {
    const [a, b, c] = await Promise.all([sim({LLM_SEED: '7'}), sim({LLM_SEED: '7'}), sim({LLM_SEED: '8'})])
    const sequence = async (service: RunningService) => {
      const latencies: string[] = []
      for (let index = 0; index < 6; index++) {
        const result = await chat(service)
        const latency = Number(result.headers.get('x-sim-latency-ms'))
        expect(latency).toBeGreaterThanOrEqual(200)
        expect(latency).toBeLessThanOrEqual(2000)
        // The answer really took that long: the client waited at least the simulated latency.
        expect(result.elapsedMs).toBeGreaterThanOrEqual(latency - 5)
        latencies.push(result.headers.get('x-sim-latency-ms')!)
      }
      return latencies
    }
    const [first, second, other] = await Promise.all([sequence(a!), sequence(b!), sequence(c!)])
    expect(second).toEqual(first)
    expect(other).not.toEqual(first)
  })

  it('injects errors and slowdowns switched at run time, and shows the switches in /metrics', async () => {
    const service = await sim({LLM_LATENCY_MIN_MS: '10', LLM_LATENCY_MAX_MS: '10', LLM_LATENCY_MEDIAN_MS: '10'})
    const admin = await SwitchesStore.open(REDIS_URL, prefix)
    try {
      await admin.patch({'faults.llmErrorRate': '1', 'faults.llmLatencyMultiplier': '3'})
      await eventually(
        async () => {
          const metrics = await (await fetch(`${service.url}/metrics`)).text()
          return metricValue(metrics, 'streamctl_fault{name="llmErrorRate"}') === 1 ? true : undefined
        },
        5000,
        'the switch to reach llm-sim',
      )
      const failed = await chat(service)
      expect(failed.status).toBe(500)
      expect(Number(failed.headers.get('x-sim-latency-ms'))).toBe(30)
      await admin.reset()
      await eventually(
        async () => ((await chat(service)).status === 200 ? true : undefined),
        5000,
        'the error fault to clear',
      )
    } finally {
      await admin.close()
    }
  })
})
