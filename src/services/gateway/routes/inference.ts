// The token-quota inference API: POST /v1/generate (authenticate, estimate, reserve atomically,
// store, 202, then queue — see dispatcher.ts) and GET /v1/requests/{id}.
import {randomUUID} from 'node:crypto'
import {Histogram} from 'prom-client'
import {GatewayRoutes, Metrics, type GenerateAccepted} from '../../../lib/streamflow/api.js'
import {clientClosedRequest, HttpError, notFound, unavailable as serviceUnavailable} from '../../http/errors.js'
import {integerField, MODEL_NAME, rejectUnknownFields, requireObject, stringField, UUID} from '../../http/validate.js'
import type {InferenceRequestMessage} from '../../amqp/inference-messages.js'
import {
  abandonAdmission,
  admitRequest,
  confirmStored,
  pendingMember,
  quotaPeriods,
  refundAdmission,
  type AdmitOutcome,
} from '../../quota/quota.js'
import {readCachedStatus, readStatusRow} from '../../redis/request-status.js'
import {countChatTokens} from '../../quota/tokens.js'
import {Batcher} from '../batcher.js'
import {mayActFor} from '../auth.js'
import type {GatewayRouteModule} from '../context.js'
import {insertRequests, isRowFault, neverSent, type RequestRow} from '../request-rows.js'

export const inferenceRoutes: GatewayRouteModule = (router, gateway) => {
  const {config, log} = {config: gateway.config, log: gateway.runtime.log}
  // A row PostgreSQL refuses fails its own request only: the group is written again row by row.
  const requestRows = new Batcher<RequestRow>(
    (rows) => insertRequests(gateway.pg, rows),
    256,
    config.insertConcurrency,
    isRowFault,
  )
  // Where an accepted generate's time goes: the API-key lookup, the Redis admit script, the
  // group-committed INSERT, and handing it to the dispatcher (waits only under back-pressure).
  const stages = new Histogram({
    name: Metrics.generateStage,
    help: 'Time of each stage of an accepted POST /v1/generate, in seconds',
    labelNames: ['stage'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [gateway.runtime.metrics.registry],
  })
  const observeStages = (marks: {
    started: number
    authenticated: number
    admitting: number
    admitted: number
    stored: number
    dispatched: number
  }) => {
    stages.observe({stage: 'auth'}, (marks.authenticated - marks.started) / 1000)
    stages.observe({stage: 'admit'}, (marks.admitted - marks.admitting) / 1000)
    stages.observe({stage: 'store'}, (marks.stored - marks.admitted) / 1000)
    stages.observe({stage: 'dispatch'}, (marks.dispatched - marks.stored) / 1000)
  }

  router.post(GatewayRoutes.generate, async ({request, body, clientGone}) => {
    const started = performance.now()
    const principal = await gateway.principal(request)
    const authenticated = performance.now()
    const input = requireObject(await body())
    rejectUnknownFields(input, ['prompt', 'model', 'max_tokens'])
    const prompt = stringField(input, 'prompt', {required: true, minLength: 1, maxLength: config.maxPromptChars})
    const model = stringField(input, 'model', {maxLength: 64, format: MODEL_NAME}) ?? 'default'
    const maxTokens = integerField(input, 'max_tokens', {min: 1, max: 32_768}) ?? config.defaultMaxTokens
    const estimate = countChatTokens([{content: prompt}]) + maxTokens
    const requestId = randomUUID()
    const now = new Date()
    if (clientGone()) throw clientClosedRequest('its request was admitted') // nobody would get the 202
    const admitting = performance.now()
    const outcome = await admitRequest(gateway.redis, {
      keyId: principal.keyId,
      userId: principal.userId,
      tier: principal.tier,
      estimate,
      requestId,
      now,
    }).catch((error: unknown) => {
      throw unavailable('cannot reach the quota store', error)
    })
    if (!outcome.admitted) throw quotaExceeded(outcome)
    const admitted = performance.now()
    const {day, month} = quotaPeriods(now)
    const priority = gateway.switches.current.interventions.prioritisation ? principal.tier.priority : 0
    const message: InferenceRequestMessage = {
      request_id: requestId,
      user_id: principal.userId,
      tier: principal.tier.name,
      model,
      prompt,
      max_tokens: maxTokens,
      estimated_tokens: estimate,
      quota_day: day,
      quota_month: month,
      priority,
    }
    try {
      await requestRows.add({message, keyId: principal.keyId, createdAt: now})
    } catch (error) {
      if (isRowFault(error)) {
        await refund(requestId, principal.userId, day)
        throw new HttpError(400, 'unstorable_request', `the request cannot be stored: ${(error as Error).message}`)
      }
      // The row may have been committed after all: the sweeper drops it, if so, before it refunds.
      if (neverSent(error)) await refund(requestId, principal.userId, day)
      else
        await abandonAdmission(gateway.redis, requestId).catch((cause: Error) =>
          log.error('cannot mark a failed store abandoned', {request_id: requestId, error: cause.message}),
        )
      throw unavailable('cannot store the request', error)
    }
    const stored = performance.now()
    if (stored - admitting > config.dispatchGraceMs / 2) await settleSlowStore(requestId, principal.userId, day)
    await gateway.dispatcher.dispatch(message, pendingMember(requestId, principal.userId, day), now)
    observeStages({started, authenticated, admitting, admitted, stored, dispatched: performance.now()})
    const statusPath = GatewayRoutes.request(requestId)
    const accepted: GenerateAccepted = {
      request_id: requestId,
      status_url: `${config.publicUrl}${statusPath}`,
      estimated_tokens: estimate,
    }
    return {
      status: 202,
      body: accepted,
      headers: {location: statusPath, 'x-ratelimit-limit': outcome.limit, 'x-ratelimit-remaining': outcome.remaining},
    }
  })

  router.get('/v1/requests/:id', async ({request, params}) => {
    const principal = await gateway.principal(request)
    const id = params.id!
    if (!UUID.test(id)) throw notFound(`no request ${id}`)
    // Without Redis the row in PostgreSQL answers.
    const found =
      (await readCachedStatus(gateway.redis, id).catch(() => undefined)) ?? // Redis unreachable: the row in PostgreSQL answers
      (await readStatusRow(gateway.pg, id).catch((error: unknown) => {
        throw unavailable('cannot read the request', error)
      }))
    if (!found || !mayActFor(principal, found.userId)) throw notFound(`no request ${id}`)
    return {status: 200, body: found.status}
  })

  /**
   * A store slow enough that the dispatch sweeper may have found no row and refunded the admission:
   * either the request is marked stored first, or the row is dropped and the request fails.
   */
  async function settleSlowStore(requestId: string, userId: string, day: string): Promise<void> {
    // Without an answer from Redis the stored row is kept: dropping it could leave a mark that holds
    // the admission against every refund (see quota/quota.ts), the rarer harm being one uncharged run.
    const kept = await confirmStored(gateway.redis, requestId).catch((error: Error) => {
      log.error('cannot confirm a slowly stored request; keeping it', {request_id: requestId, error: error.message})
      return true
    })
    if (kept) return
    await gateway.pg
      .query('DELETE FROM requests WHERE request_id = $1', [requestId])
      .catch((error: Error) =>
        log.error('cannot drop a request refunded while it was stored', {request_id: requestId, error: error.message}),
      )
    await refund(requestId, userId, day)
    throw serviceUnavailable('storing the request took too long')
  }

  /** Undoes the admission of a request that was not stored; if Redis cannot be reached, the dispatcher's sweeper refunds it later. */
  async function refund(requestId: string, userId: string, day: string): Promise<void> {
    await refundAdmission(gateway.redis, {requestId, userId, day}).catch((error: Error) =>
      log.error('cannot refund an admission now; the dispatch sweeper will', {
        request_id: requestId,
        error: error.message,
      }),
    )
  }

  function unavailable(what: string, error: unknown): HttpError {
    log.error(what, {error: (error as Error)?.message ?? String(error)})
    return serviceUnavailable(what)
  }
}

function quotaExceeded(outcome: Extract<AdmitOutcome, {admitted: false}>): HttpError {
  const what =
    outcome.reason === 'rate_limit'
      ? `rate limit of ${outcome.limit} requests (burst) exceeded`
      : `${outcome.reason.replace('_', ' ')} quota of ${outcome.limit} exceeded`
  return new HttpError(429, outcome.reason === 'rate_limit' ? 'rate_limited' : 'quota_exceeded', what, {
    'retry-after': outcome.retryAfterSeconds,
    'x-ratelimit-limit': outcome.limit,
    'x-ratelimit-remaining': outcome.remaining,
    'x-ratelimit-reset': outcome.resetSeconds,
    'x-ratelimit-scope': outcome.reason,
  })
}
