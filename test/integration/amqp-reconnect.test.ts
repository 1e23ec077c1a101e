// The services outlive their RabbitMQ connection: every connection of the stack's vhost is cut
// (as a broker restart or a network cut would), and the inference path works again on its own —
// the gateway's publisher, the worker's consumer and publisher and the collector's consumer all
// reopen their channels, with nothing lost or charged twice.
import {execa} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {eventually} from '../helpers/services.js'
import {
  authorized,
  createInferenceStack,
  generate,
  settledTotals,
  type InferenceStack,
} from '../helpers/inference-stack.js'

describe('RabbitMQ connection lost', () => {
  let stack: InferenceStack
  let gateway: string

  beforeAll(async () => {
    stack = await createInferenceStack({users: {roomy: 'roomy'}})
    await stack.start('llm-sim', {
      LLM_LATENCY_MIN_MS: '20',
      LLM_LATENCY_MAX_MS: '60',
      LLM_LATENCY_MEDIAN_MS: '40',
      LLM_RPM_LIMIT: '100000',
    })
    await stack.start('collector')
    await stack.start('worker')
    gateway = (await stack.start('gateway', {DISPATCH_SWEEP_MS: '200', DISPATCH_GRACE_MS: '1000'})).url
  })
  afterAll(async () => {
    await stack?.close()
  })

  const completed = async (id: string) =>
    eventually(
      async () => {
        const response = await fetch(`${gateway}/v1/requests/${id}`, {headers: authorized(stack.users.roomy!)})
        const body = (await response.json()) as {status: string}
        return body.status === 'completed' ? body : undefined
      },
      30_000,
      `request ${id} to complete`,
    )

  it('reconnects the gateway, worker and collector, and settles requests sent after the cut and around it', async () => {
    const first = await generate(gateway, stack.users.roomy!)
    expect(first.status).toBe(202)
    await completed(first.body.request_id as string)

    await execa(
      'rabbitmqctl',
      ['close_all_connections', '--vhost', stack.vhost.vhost, 'amqp-reconnect test: connections cut'],
      {timeout: 60_000},
    )
    // Sent at once: the gateway may not have a channel yet; the request is stored and the sweeper sends it.
    const during = await generate(gateway, stack.users.roomy!)
    expect(during.status).toBe(202)
    await eventually(
      async () => ((await fetch(`${gateway}/readyz`)).ok ? true : undefined),
      20_000,
      'the gateway to be ready again',
    )
    const after = await generate(gateway, stack.users.roomy!)
    expect(after.status).toBe(202)
    for (const id of [during.body.request_id as string, after.body.request_id as string])
      expect(await completed(id)).toMatchObject({status: 'completed'})
    for (const name of ['worker', 'collector'])
      expect((await fetch(`${stack.services[name]!.url}/readyz`)).ok).toBe(true)

    const totals = await settledTotals(stack, 30_000, 'every reservation to settle')
    expect(totals.reserved).toBe(0)
    expect(totals.used).toBe(totals.usageLogSum)
    const rows = await stack.pg.query<{n: number}>('SELECT count(*)::int AS n FROM usage_log')
    expect(rows.rows[0]!.n).toBe(3)
  }, 120_000)
})
