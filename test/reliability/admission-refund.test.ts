// Property: every admission that does not end in a stored, queued request is refunded, requests and
// tokens alike, whatever fails and when. Each seeded round sends a burst of generates from several
// tenants while a random set of failures strikes at random moments: rows PostgreSQL refuses, the
// gateway's PostgreSQL or RabbitMQ connection cut and restored, the gateway shut down and restarted.
// Once everything is healed and settled, the invariants of PRODUCT.md §4 must hold, cumulatively:
// every 202 stored, completed and charged exactly once; nothing stored beyond the 202s but for
// requests that got no answer at all; each user's request counter equal to their stored requests;
// no reservation or pending dispatch left open; Redis used tokens equal to the usage log.
import {Agent, fetch} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {freePort} from '../../src/lib/host/ports.js'
import {SeededRandom} from '../../src/lib/random/seeded.js'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {
  authorized,
  createInferenceStack,
  quotaTotals,
  REFUSED_MARKER,
  refuseMarkedRows,
  userQuotaToday,
  type InferenceStack,
} from '../helpers/inference-stack.js'
import {eventually, startService} from '../helpers/services.js'
import {tcpProxy, type TcpProxy} from '../helpers/sockets.js'
import {printFigure, scaled} from '../helpers/trials.js'

const TENANTS = ['t1', 't2', 't3', 't4']
const FAILURES = ['refused rows', 'store down', 'publish down', 'shutdown'] as const
type Failure = (typeof FAILURES)[number]

interface Outcome {
  tenant: string
  /** The HTTP status, or undefined when no answer came (connection refused, reset or cut). */
  status?: number
  requestId?: string
}

describe('admission refunds under random failures', () => {
  let stack: InferenceStack
  let gatewayPort: number
  let gateway: RunningService | undefined
  let postgres: TcpProxy
  let rabbitmq: TcpProxy
  let gatewayEnv: Record<string, string>
  const accepted = new Map<string, string>() // request id → tenant
  const unanswered = new Map<string, number>() // tenant → requests that got no answer

  const startGateway = async () => (gateway = await startService('gateway', gatewayEnv))
  const stopGateway = async () => {
    const stopping = gateway
    gateway = undefined
    await stopping?.close()
  }

  beforeAll(async () => {
    stack = await createInferenceStack({users: Object.fromEntries(TENANTS.map((tenant) => [tenant, 'roomy']))})
    await refuseMarkedRows(stack)
    const [pgPort, amqpPort] = [await freePort(), await freePort()]
    gatewayPort = await freePort()
    postgres = tcpProxy(pgPort, 5432)
    rabbitmq = tcpProxy(amqpPort, 5672)
    await Promise.all([postgres.open(), rabbitmq.open()])
    await stack.start('llm-sim', {
      LLM_LATENCY_MIN_MS: '20',
      LLM_LATENCY_MAX_MS: '60',
      LLM_LATENCY_MEDIAN_MS: '30',
      LLM_RPM_LIMIT: '1000000',
    })
    await stack.start('collector')
    await stack.start('worker', {WORKER_PREFETCH: '64'})
    gatewayEnv = {
      ...(stack.env as Record<string, string>),
      PORT: String(gatewayPort),
      DATABASE_URL: stack.database.url.replace(':5432/', `:${pgPort}/`),
      AMQP_URL: stack.vhost.url.replace(':5672/', `:${amqpPort}/`),
      DISPATCH_SWEEP_MS: '200',
      DISPATCH_GRACE_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '100',
    }
    await startGateway()
  })
  afterAll(async () => {
    await stopGateway()
    await Promise.all([postgres?.cut(), rabbitmq?.cut()])
    await stack?.close()
  })

  it(
    'refunds every admission that is not stored, and charges every stored one once, in every seeded round',
    {timeout: 600_000},
    async () => {
      const rounds = scaled(6)
      const random = new SeededRandom(23, 'admission-refund')
      const struck: Record<Failure, number> = {'refused rows': 0, 'store down': 0, 'publish down': 0, shutdown: 0}
      const statuses: Record<string, number> = {}
      let failures = 0
      let firstFailure: unknown
      for (let round = 0; round < rounds; round++) {
        // Round 0 strikes with everything at once; later rounds with a random, non-empty set.
        const plan = FAILURES.filter(() => round === 0 || random.next() < 0.5)
        if (plan.length === 0) plan.push(FAILURES[Math.floor(random.next() * FAILURES.length)]!)
        for (const failure of plan) struck[failure]++
        const outcomes = await burst(plan, random)
        for (const outcome of outcomes) {
          const key = outcome.status === undefined ? 'no answer' : String(outcome.status)
          statuses[key] = (statuses[key] ?? 0) + 1
          if (outcome.status === 202) accepted.set(outcome.requestId!, outcome.tenant)
          if (outcome.status === undefined) unanswered.set(outcome.tenant, (unanswered.get(outcome.tenant) ?? 0) + 1)
        }
        try {
          await checkInvariants(`round ${round} (${plan.join(', ')})`)
        } catch (error) {
          failures++
          firstFailure ??= error
        }
      }
      printFigure('admission-refund', {
        trials: rounds,
        failures,
        accepted: accepted.size,
        statuses: Object.entries(statuses)
          .map(([status, count]) => `${status}:${count}`)
          .join('/'),
        ...Object.fromEntries(Object.entries(struck).map(([failure, count]) => [failure.replace(' ', '_'), count])),
      })
      if (firstFailure) throw firstFailure
      // Every failure point was exercised, and the property saw both outcomes.
      expect(Object.values(struck).every((count) => count > 0)).toBe(true)
      expect(accepted.size).toBeGreaterThan(0)
      expect(Object.keys(statuses).some((status) => status !== '202')).toBe(true)
    },
  )

  /** One round: a burst of generates over about a second while each planned failure strikes at a random moment. */
  async function burst(plan: Failure[], random: SeededRandom): Promise<Outcome[]> {
    const agent = new Agent({connections: 64, connectTimeout: 5000})
    const sends: Array<Promise<Outcome>> = []
    const strikes: Array<Promise<void>> = []
    const at = () => Math.floor(random.next() * 800)
    const lasting = () => 100 + Math.floor(random.next() * 600)
    if (plan.includes('store down')) strikes.push(cutFor(postgres, at(), lasting()))
    if (plan.includes('publish down')) strikes.push(cutFor(rabbitmq, at(), lasting()))
    if (plan.includes('shutdown')) {
      const [start, restart] = [at(), lasting()]
      strikes.push(
        (async () => {
          await sleep(start)
          await stopGateway()
          await sleep(restart)
          await startGateway()
        })(),
      )
    }
    const refusedShare = plan.includes('refused rows') ? 0.2 : 0
    for (let index = 0; index < 120; index++) {
      const tenant = TENANTS[Math.floor(random.next() * TENANTS.length)]!
      const refused = random.next() < refusedShare
      const delay = Math.floor(random.next() * 1000)
      sends.push(
        send(
          agent,
          tenant,
          {
            prompt: `${refused ? `${REFUSED_MARKER} ` : ''}round prompt ${index}`,
            max_tokens: 16 + Math.floor(random.next() * 48),
          },
          delay,
        ),
      )
    }
    const outcomes = await Promise.all(sends)
    await Promise.all(strikes)
    await agent.close()
    if (!gateway) await startGateway()
    return outcomes
  }

  async function send(agent: Agent, tenant: string, body: unknown, delayMs: number): Promise<Outcome> {
    await sleep(delayMs)
    try {
      const response = await fetch(`http://127.0.0.1:${gatewayPort}/v1/generate`, {
        method: 'POST',
        headers: authorized(stack.users[tenant]!),
        body: JSON.stringify(body),
        dispatcher: agent,
        signal: AbortSignal.timeout(20_000),
      })
      const answer = (await response.json()) as {request_id?: string}
      return {tenant, status: response.status, ...(answer.request_id ? {requestId: answer.request_id} : {})}
    } catch {
      return {tenant}
    }
  }

  async function checkInvariants(round: string): Promise<void> {
    // Healed: wait until every reservation is settled or refunded and nothing waits to be published.
    let left = {open: 0, pending: 0, unfinished: 0}
    await eventually(
      async () => {
        const [open, pending, unfinished] = await Promise.all([
          stack.redis.hlen('quota:open'),
          stack.redis.zcard('dispatch:pending'),
          stack.pg.query("SELECT count(*)::int AS n FROM requests WHERE status IN ('queued', 'running')"),
        ])
        left = {open, pending, unfinished: unfinished.rows[0].n}
        return open === 0 && pending === 0 && left.unfinished === 0 ? true : undefined
      },
      90_000,
      `${round}: every admission settled or refunded`,
    ).catch((error: Error) => {
      throw new Error(`${error.message} (left: ${JSON.stringify(left)})`)
    })
    const rows = await stack.pg.query<{request_id: string; user_id: string; status: string; charges: number}>(
      'SELECT r.request_id, r.user_id, r.status, (SELECT count(*)::int FROM usage_log u WHERE u.request_id = r.request_id) AS charges FROM requests r',
    )
    const stored = new Map(rows.rows.map((row) => [row.request_id, row]))
    for (const [id] of accepted) {
      const row = stored.get(id)
      expect(row, `${round}: accepted request ${id} is stored`).toBeDefined()
      expect(row!.status, `${round}: accepted request ${id} is finished`).toMatch(/^(completed|failed)$/)
      expect(row!.charges, `${round}: accepted request ${id} is charged once`).toBe(1)
    }
    for (const tenant of TENANTS) {
      const user = stack.users[tenant]!
      const storedRows = rows.rows.filter((row) => row.user_id === user.userId).length
      const acceptedRows = [...accepted.values()].filter((owner) => owner === tenant).length
      // Stored beyond the 202s only for requests that got no answer at all (the client never heard it failed).
      expect(storedRows - acceptedRows, `${round}: ${tenant}'s stored requests beyond its 202s`).toBeGreaterThanOrEqual(
        0,
      )
      expect(storedRows - acceptedRows, `${round}: ${tenant}'s stored requests beyond its 202s`).toBeLessThanOrEqual(
        unanswered.get(tenant) ?? 0,
      )
      const quota = await userQuotaToday(stack, user.userId)
      expect(quota.requests, `${round}: ${tenant}'s request counter equals its stored requests`).toBe(storedRows)
      expect(quota.reserved, `${round}: ${tenant}'s reserved tokens`).toBe(0)
    }
    const totals = await quotaTotals(stack)
    expect(totals.used - totals.usageLogSum, `${round}: drift between Redis used tokens and the usage log`).toBe(0)
  }
})

async function cutFor(proxy: TcpProxy, afterMs: number, forMs: number): Promise<void> {
  await sleep(afterMs)
  await proxy.cut()
  await sleep(forMs)
  await proxy.open()
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
