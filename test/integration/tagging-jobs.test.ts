// Asynchronous tagging against real RabbitMQ, Redis and PostgreSQL: gateway POST
// /v1/metadata/{video}/jobs → tagging_jobs → tagger → the job's Redis record → GET
// /v1/metadata/jobs/{id}; malformed messages dead-lettered, a failed record write requeued, a tagger
// that starts without RabbitMQ, and a gateway whose RabbitMQ is gone.
import amqp from 'amqplib'
import {randomUUID} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {freePort} from '../../src/lib/host/ports.js'
import {
  GatewayRoutes,
  Metrics,
  type TaggingJobAccepted,
  type TaggingJobStatus,
  type VideoMetadata,
} from '../../src/lib/streamflow/api.js'
import type {RunningService} from '../../src/services/runtime/service-runtime.js'
import {recordQueuedJob} from '../../src/services/redis/tagging-job-record.js'
import {connectTagger} from '../../src/services/tagger/grpc-client.js'
import {authorized, createInferenceStack, type InferenceStack} from '../helpers/inference-stack.js'
import {eventually, metricValue, startService} from '../helpers/services.js'
import {tcpProxy} from '../helpers/sockets.js'

describe('tagging jobs', () => {
  let stack: InferenceStack
  let gateway: string
  let tagger: RunningService

  beforeAll(async () => {
    stack = await createInferenceStack({users: {alice: 'roomy', bob: 'roomy'}})
    await stack.pg.query(
      "INSERT INTO content (content_id, title, tags) VALUES ('v42', 'Election night live', '{politics,breaking}')",
    )
    tagger = await stack.start('tagger', {GRPC_PORT: '0', TAGGER_JOBS_PREFETCH: '4'})
    gateway = (
      await stack.start('gateway', {TAGGER_GRPC_ADDR: `127.0.0.1:${tagger.ports.grpc}`, TAGGER_TIMEOUT_MS: '10000'})
    ).url
  })
  afterAll(async () => {
    await stack?.close()
  })

  const as = (user: string) => authorized(stack.users[user]!)
  const submit = async (video: string, user = 'alice', base = gateway) => {
    const response = await fetch(`${base}${GatewayRoutes.taggingJobs(video)}`, {method: 'POST', headers: as(user)})
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as Record<string, unknown>,
    }
  }
  const jobStatus = async (id: string, user = 'alice') => {
    const response = await fetch(`${gateway}${GatewayRoutes.taggingJob(id)}`, {headers: as(user)})
    return {status: response.status, body: (await response.json()) as TaggingJobStatus}
  }
  const finished = (id: string) =>
    eventually(
      async () => {
        const polled = await jobStatus(id)
        return polled.body.status === 'queued' ? undefined : polled.body
      },
      15_000,
      `job ${id} to finish`,
    )
  const syncLabels = async (video: string) =>
    (
      (await (
        await fetch(`${gateway}${GatewayRoutes.metadata(video)}`, {headers: as('alice')})
      ).json()) as VideoMetadata
    ).labels
  const jobCount = async (service: RunningService, outcome: string) =>
    metricValue(await (await fetch(`${service.url}/metrics`)).text(), `${Metrics.taggingJobs}{outcome="${outcome}"}`) ??
    0
  const withChannel = async <T>(use: (channel: amqp.ConfirmChannel) => Promise<T>): Promise<T> => {
    const connection = await amqp.connect(stack.vhost.url)
    try {
      const channel = await connection.createConfirmChannel()
      return await use(channel)
    } finally {
      await connection.close()
    }
  }
  const publishRaw = (body: string | object) =>
    withChannel(async (channel) => {
      channel.sendToQueue('tagging_jobs', Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), {
        persistent: true,
      })
      await channel.waitForConfirms()
    })
  /** Everything in the DLQ now, taken off it. */
  const drainDeadLetters = () =>
    withChannel(async (channel) => {
      const bodies: string[] = []
      for (
        let message = await channel.get('tagging_jobs.dlq', {noAck: true});
        message;
        message = await channel.get('tagging_jobs.dlq', {noAck: true})
      )
        bodies.push(message.content.toString())
      return bodies
    })
  /** How many job records this file's Redis prefix holds (SCAN patterns are not prefixed by ioredis). */
  const jobRecords = async () => {
    let count = 0
    let cursor = '0'
    do {
      const [next, keys] = await stack.redis.scan(cursor, 'MATCH', `${stack.prefix}tagging-job:*`, 'COUNT', 1000)
      cursor = next
      count += keys.length
    } while (cursor !== '0')
    return count
  }

  it('completes a job with the labels the synchronous GET gives, and shows it to its owner only', async () => {
    const accepted = await submit('v42')
    expect(accepted.status).toBe(202)
    const id = accepted.body.job_id as string
    const path = GatewayRoutes.taggingJob(id)
    expect(accepted.body).toEqual({job_id: id, status_url: path} satisfies TaggingJobAccepted)
    expect(accepted.headers.get('location')).toBe(path)

    const done = await finished(id)
    const labels = await syncLabels('v42')
    // The catalogue's title and tags were used, as on the gRPC path: "v42" alone says nothing.
    expect(labels[0]!.label).toBe('news')
    expect(done).toEqual({job_id: id, video_id: 'v42', status: 'completed', labels})
    expect(await jobCount(tagger, 'completed')).toBeGreaterThanOrEqual(1)

    expect((await jobStatus(id, 'bob')).status).toBe(404)
    expect((await jobStatus('3b241101-e2bb-4255-8caf-4136c566a962')).status).toBe(404)
    expect((await jobStatus('not-a-job')).status).toBe(404)
    expect((await fetch(`${gateway}${path}`)).status).toBe(401)
    expect((await submit('bad%20id')).status).toBe(400)
  })

  it("works many jobs at once, each with its video's labels", async () => {
    const videos = [
      'cup-final-highlights',
      'guitar-live-concert',
      'python-tutorial-lesson',
      'standup-comedy-night',
      'wildlife-documentary',
      'v42',
    ]
    const accepted = await Promise.all(videos.map((video) => submit(video)))
    expect(accepted.map((result) => result.status)).toEqual(videos.map(() => 202))
    const done = await Promise.all(accepted.map((result) => finished(result.body.job_id as string)))
    for (const [index, video] of videos.entries())
      expect(done[index]).toMatchObject({video_id: video, status: 'completed', labels: await syncLabels(video)})
  })

  it('dead-letters a message that is not a job, and records a job for an invalid video as failed', async () => {
    await drainDeadLetters()
    const malformedBefore = await jobCount(tagger, 'malformed')
    await publishRaw('not json at all')
    await publishRaw({video_id: 'no-job-id'})
    const failing = {
      job_id: 'a6f0e0a4-5c1e-4a57-9d0e-3d3c0f3f7a01',
      video_id: 'bad id!',
      requested_at: new Date().toISOString(),
    }
    await recordQueuedJob(stack.redis, failing, stack.users.alice!.userId)
    await publishRaw(failing)

    const dead: string[] = []
    await eventually(
      async () => {
        dead.push(...(await drainDeadLetters()))
        return dead.length >= 3 ? true : undefined
      },
      15_000,
      'three messages in tagging_jobs.dlq',
    )
    expect(dead.sort()).toEqual(
      [JSON.stringify(failing), JSON.stringify({video_id: 'no-job-id'}), 'not json at all'].sort(),
    )
    expect((await jobCount(tagger, 'malformed')) - malformedBefore).toBe(2)
    expect(await jobStatus(failing.job_id)).toEqual({
      status: 200,
      body: {
        job_id: failing.job_id,
        video_id: 'bad id!',
        status: 'failed',
        error: expect.stringContaining('video_id must be'),
      },
    })
  })

  it('puts a job back on the queue when its record cannot be written, and completes it once it can', async () => {
    const job = {
      job_id: 'c0ffee00-1111-4222-8333-444455556666',
      video_id: 'tennis-match-highlights',
      requested_at: new Date().toISOString(),
    }
    // A string where the job's hash should be: the tagger's write fails (WRONGTYPE) on every try.
    await stack.redis.set(`tagging-job:${job.job_id}`, 'in the way')
    const requeuedBefore = await jobCount(tagger, 'requeued')
    await publishRaw(job)
    await eventually(
      async () => ((await jobCount(tagger, 'requeued')) - requeuedBefore >= 2 ? true : undefined),
      15_000,
      'the job to be requeued twice',
    )
    // The record appears in one step (RENAME), so no retry can find the key missing in between.
    const standIn = {...job, job_id: randomUUID()}
    await recordQueuedJob(stack.redis, standIn, stack.users.alice!.userId)
    await stack.redis.rename(`tagging-job:${standIn.job_id}`, `tagging-job:${job.job_id}`)
    const done = await finished(job.job_id)
    expect(done).toEqual({
      job_id: job.job_id,
      video_id: job.video_id,
      status: 'completed',
      labels: await syncLabels(job.video_id),
    })
    expect(await drainDeadLetters()).toEqual([])
  })

  it('starts, is ready and answers gRPC while RabbitMQ is unreachable, then consumes once it is reachable', async () => {
    const port = await freePort()
    const warnings: string[] = []
    const log = {info: () => {}, error: () => {}, warn: (message: string) => void warnings.push(message)}
    const vhost = new URL(stack.vhost.url).pathname
    const late = await startService(
      'tagger',
      {...stack.env, GRPC_PORT: '0', AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}${vhost}`},
      undefined,
      log,
    )
    const proxy = tcpProxy(port, 5672)
    try {
      expect((await fetch(`${late.url}/readyz`)).status).toBe(200)
      const client = await connectTagger(`127.0.0.1:${late.ports.grpc}`)
      const answer = await client.generateMetadata('breaking-news-election-night', {top: 1})
      client.close()
      expect(answer.labels[0]!.label).toBe('news')
      await eventually(
        async () =>
          warnings.some((warning) => warning.startsWith('tagging jobs: cannot reach RabbitMQ')) ? true : undefined,
        10_000,
        'a warning about RabbitMQ',
      )

      // RabbitMQ becomes reachable on that port; the only tagger left is the late one.
      const expected = await syncLabels('cup-final-highlights')
      await proxy.open()
      await stack.stop('tagger')
      const accepted = await submit('cup-final-highlights')
      expect(accepted.status).toBe(202)
      const done = await eventually(
        async () => {
          const polled = await jobStatus(accepted.body.job_id as string)
          return polled.body.status === 'completed' ? polled.body : undefined
        },
        20_000,
        'the late tagger to complete the job',
      )
      expect(done.labels).toEqual(expected)
      // The late tagger did it (the other one is stopped); its counter may trail the record by a moment.
      expect(
        await eventually(
          async () => ((await jobCount(late, 'completed')) >= 1 ? jobCount(late, 'completed') : undefined),
          5000,
          'the late tagger to count the job',
        ),
      ).toBe(1)
    } finally {
      await late.close()
      await proxy.cut()
    }
  })

  it('answers a fast 503 with Retry-After and stores nothing when RabbitMQ is gone', async () => {
    // A gateway of its own whose RabbitMQ is behind a proxy the test cuts: it keeps trying to reopen
    // its channel (services reconnect), and the proxy keeps refusing.
    const proxyPort = await freePort()
    const proxy = tcpProxy(proxyPort, 5672)
    await proxy.open()
    const vhost = new URL(stack.vhost.url).pathname
    const cut = await startService('gateway', {
      ...stack.env,
      PORT: '0',
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${proxyPort}${vhost}`,
      TAGGER_GRPC_ADDR: `127.0.0.1:${tagger.ports.grpc}`,
      TAGGER_TIMEOUT_MS: '10000',
    })
    try {
      await proxy.cut()
      // The gateway's readiness follows its publishing channel.
      await eventually(
        async () => ((await fetch(`${cut.url}/readyz`)).status === 503 ? true : undefined),
        15_000,
        'the gateway to notice RabbitMQ is gone',
      )
      const before = await jobRecords()
      const started = Date.now()
      const refused = await submit('cup-final-highlights', 'alice', cut.url)
      // It did not wait for a confirm (TAGGER_TIMEOUT_MS is 10 s here).
      expect(Date.now() - started).toBeLessThan(5000)
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(refused.body).toMatchObject({error: {code: 'rabbitmq_unavailable'}})
      expect(await jobRecords()).toBe(before)
    } finally {
      await cut.close()
    }
  })
})
