// llm-sim: an OpenAI-compatible `/v1/chat/completions` with the published LLM bottleneck — a seeded
// 200 ms–2 s latency model, an RPM limit (429 + Retry-After), token counting, and the latency and
// error-rate faults of the switches.
//
// Config: config.ts.
import {setTimeout as sleep} from 'node:timers/promises'
import {DEFAULT_SWITCHES, type Switches} from '../../lib/streamflow/api.js'
import {HttpError} from '../http/errors.js'
import {Router} from '../http/router.js'
import {ServiceRuntime, type ServiceContext, type ServiceDefinition} from '../runtime/service-runtime.js'
import {complete, parseChatRequest} from './chat.js'
import {readLlmSimConfig} from './config.js'
import {LatencyModel} from './latency-model.js'
import {RateWindow} from './rate-window.js'

export const LLM_SIM_ROUTES = {chatCompletions: '/v1/chat/completions'} as const

export const llmSimService: ServiceDefinition = {
  defaultPort: 8087,
  async start(context: ServiceContext) {
    const runtime = new ServiceRuntime(context, this.defaultPort)
    const config = readLlmSimConfig(context.env)
    const model = new LatencyModel(config.latency)
    const window = new RateWindow(config.rpmLimit)
    let switches: Switches = DEFAULT_SWITCHES
    if (config.followSwitches) (await runtime.switches()).onChange((current) => (switches = current))

    const router = new Router().post(LLM_SIM_ROUTES.chatCompletions, async ({body}) => {
      const request = parseChatRequest(await body())
      const {costs} = switches
      const limit = costs.llmRpmLimit || window.limit
      const admitted = window.tryAcquire(Date.now(), limit)
      if (!admitted.ok) {
        runtime.metrics.llmRateLimited.inc()
        throw new HttpError(429, 'rate_limit_exceeded', `rate limit of ${limit} requests per minute reached`, {
          'retry-after': Math.max(1, Math.ceil(admitted.retryAfterMs / 1000)),
        })
      }
      const draw = model.next({
        ...(costs.llmLatencyMedianMs ? {medianMs: costs.llmLatencyMedianMs} : {}),
        ...(costs.llmLatencyMinMs ? {minMs: costs.llmLatencyMinMs} : {}),
        ...(costs.llmLatencyMaxMs ? {maxMs: costs.llmLatencyMaxMs} : {}),
      })
      const {llmLatencyMultiplier, llmErrorRate} = switches.faults
      const failing = draw.errorCoin < llmErrorRate
      const latencyMs =
        (failing ? costs.llmLatencyMinMs || config.latency.minMs : draw.latencyMs) * llmLatencyMultiplier
      await sleep(latencyMs)
      const headers = {'x-sim-sequence': draw.sequence, 'x-sim-latency-ms': latencyMs.toFixed(1)}
      if (failing) throw new HttpError(500, 'server_error', 'injected LLM error (faults.llmErrorRate)', headers)
      const completion = complete(request, draw.sequence)
      runtime.metrics.tokensProcessed.inc({kind: 'prompt'}, completion.usage.prompt_tokens)
      runtime.metrics.tokensProcessed.inc({kind: 'completion'}, completion.usage.completion_tokens)
      return {status: 200, body: completion, headers}
    })
    await runtime.listen(router)
    return runtime.running()
  },
}
