// Quota accounting survives a worker killed mid-run: its unacked messages are redelivered to another
// worker, and still no request is charged twice, no reservation is left open, and Redis used tokens
// equal the usage_log sum. A result delivered twice is settled once.
import amqp from 'amqplib'
import {execa, type ResultPromise} from 'execa'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, ROOT} from '../helpers/cli.js'
import {TRIALS, runTrials} from '../helpers/trials.js'
import {eventually, metricValue} from '../helpers/services.js'
import {
  createInferenceStack,
  generate,
  quotaTotals,
  settledTotals,
  type InferenceStack,
} from '../helpers/inference-stack.js'

describe('worker killed mid-run', () => {
  let stack: InferenceStack
  let gateway: string
  let child: ResultPromise | undefined

  beforeAll(async () => {
    stack = await createInferenceStack({users: {alice: 'roomy'}})
    await stack.start('llm-sim', {
      LLM_LATENCY_MIN_MS: '100',
      LLM_LATENCY_MAX_MS: '300',
      LLM_LATENCY_MEDIAN_MS: '150',
      LLM_RPM_LIMIT: '100000',
    })
    await stack.start('collector')
    gateway = (await stack.start('gateway')).url
  })
  afterAll(async () => {
    child?.kill('SIGKILL')
    await stack?.close()
  })

  const settledCount = async () => Number((await stack.pg.query('SELECT count(*) AS n FROM usage_log')).rows[0].n)
  const completed = async () => {
    const {rows} = await stack.pg.query(
      "SELECT count(*)::int AS n, coalesce(sum(total_tokens), 0)::bigint AS tokens FROM requests WHERE status = 'completed'",
    )
    return {n: rows[0].n as number, tokens: Number(rows[0].tokens)}
  }
  const llmCalls = async () =>
    metricValue(
      await (await fetch(`${stack.services['llm-sim']!.url}/metrics`)).text(),
      'streamctl_http_request_duration_seconds_count{service="llm-sim",route="/v1/chat/completions",status="200"}',
    ) ?? 0

  // PRODUCT.md §7; RELIABILITY_TRIALS repeats the kill, each time with a fresh batch of requests.
  it('redelivers to a new worker without double charges, leaked reservations or drift', async () => {
    await runTrials('worker-kill-redelivery', TRIALS, async () => {
      if (stack.services.worker) await stack.stop('worker')
      const total = 200
      const settledBefore = await settledCount()
      const callsBefore = await llmCalls()
      const completedBefore = await completed()
      const accepted = await Promise.all(
        Array.from({length: total}, () =>
          generate(gateway, stack.users.alice!, {prompt: 'Write a haiku about queues.', max_tokens: 32}),
        ),
      )
      expect(accepted.every((result) => result.status === 202)).toBe(true)

      // The first worker: a real process, killed with SIGKILL while it holds unacked messages.
      child = execa(process.execPath, [BIN, 'serve', 'worker'], {
        cwd: ROOT,
        env: {...stack.env, PORT: '0', WORKER_PREFETCH: '40', LLM_SIM_URL: stack.services['llm-sim']!.url, CI: '1'},
        reject: false,
        stdin: 'ignore',
      })
      await eventually(
        async () => ((await settledCount()) - settledBefore >= 20 ? true : undefined),
        30_000,
        'the first worker to settle some requests',
      )
      child.kill('SIGKILL')
      const exit = await child
      expect(exit.signal).toBe('SIGKILL')
      const settledAtKill = (await settledCount()) - settledBefore
      expect(settledAtKill).toBeLessThan(total)

      await stack.start('worker', {WORKER_PREFETCH: '40'})
      await eventually(
        async () => ((await settledCount()) - settledBefore === total ? true : undefined),
        60_000,
        'every request to settle',
      )
      // Some requests were called twice (in flight at the kill), yet each is charged once.
      const calls = (await llmCalls()) - callsBefore
      expect(calls).toBeGreaterThan(total)
      const totals = await settledTotals(stack, 10_000, 'no open reservations')
      expect(totals.reserved).toBe(0)
      expect(totals.used).toBe(totals.usageLogSum)
      const after = await completed()
      expect(after.n - completedBefore.n).toBe(total)
      expect(after.tokens).toBe(totals.usageLogSum)
      return {requests: total, redelivered: calls - total, settledAtKill}
    })
  })

  it('settles a result delivered twice only once', async () => {
    const {body} = await generate(gateway, stack.users.alice!)
    const id = body.request_id as string
    await eventually(async () =>
      (await stack.pg.query('SELECT 1 FROM usage_log WHERE request_id = $1', [id])).rowCount === 1 ? true : undefined,
    )
    const before = await quotaTotals(stack)
    const connection = await amqp.connect(stack.vhost.url)
    try {
      const channel = await connection.createConfirmChannel()
      const duplicate = {
        request_id: id,
        status: 'completed',
        output: 'again',
        degraded: false,
        usage: {prompt_tokens: 500, completion_tokens: 500, total_tokens: 1000},
        attempts: 1,
      }
      for (let index = 0; index < 3; index++)
        channel.sendToQueue('inference_results', Buffer.from(JSON.stringify(duplicate)), {persistent: true})
      await channel.waitForConfirms()
    } finally {
      await connection.close()
    }
    await eventually(
      async () => {
        const depth = metricValue(
          await (await fetch(`${stack.services.collector!.url}/metrics`)).text(),
          'streamctl_queue_depth{queue="inference_results"}',
        )
        return depth === 0 ? true : undefined
      },
      10_000,
      'the duplicates to be consumed',
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await quotaTotals(stack)).toEqual(before)
    const row = await stack.pg.query('SELECT output FROM requests WHERE request_id = $1', [id])
    expect(row.rows[0].output).not.toBe('again')
  })

  it('stops gracefully: in-flight requests finish and are acked, the rest stay queued, nothing is called twice', async () => {
    if (!stack.services.worker) await stack.start('worker', {WORKER_PREFETCH: '40'})
    const settledBefore = await settledCount()
    const callsBefore = await llmCalls()
    const total = 80
    await Promise.all(
      Array.from({length: total}, () => generate(gateway, stack.users.alice!, {prompt: 'Name a film.', max_tokens: 8})),
    )
    await eventually(
      async () => ((await settledCount()) - settledBefore >= 5 ? true : undefined),
      30_000,
      'some requests to settle',
    )
    await stack.stop('worker')
    const connection = await amqp.connect(stack.vhost.url)
    try {
      const channel = await connection.createChannel()
      // The collector drains what the worker published before it stopped.
      await eventually(
        async () => ((await channel.checkQueue('inference_results')).messageCount === 0 ? true : undefined),
        10_000,
        'results to drain',
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      const queued = await channel.checkQueue('inference_requests')
      expect(queued.consumerCount).toBe(0)
      const settled = (await settledCount()) - settledBefore
      expect(settled).toBeGreaterThanOrEqual(5)
      expect(settled + queued.messageCount).toBe(total)
      expect((await llmCalls()) - callsBefore).toBe(settled)
    } finally {
      await connection.close()
    }
    await stack.start('worker', {WORKER_PREFETCH: '40'})
    await eventually(
      async () => ((await settledCount()) - settledBefore === total ? true : undefined),
      30_000,
      'the rest to settle',
    )
    expect(await quotaTotals(stack)).toMatchObject({reserved: 0, open: 0})
  })
})
