// `streamctl serve tagger` as a user runs it: the built CLI finds the shipped .proto, answers gRPC
// on GRPC_PORT and health on PORT with RabbitMQ unreachable (its tagging jobs keep retrying in the
// background), and stops cleanly on SIGTERM.
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {freePort} from '../../src/lib/host/ports.js'
import {connectTagger} from '../../src/services/tagger/grpc-client.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {eventually} from '../helpers/services.js'

describe('streamctl serve tagger', () => {
  it('serves GenerateMetadata over gRPC from the built package and stops on SIGTERM', async () => {
    const [port, grpcPort, closedPort] = [await freePort(), await freePort(), await freePort()]
    const env = {
      CI: '1',
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      TAGGER_USE_CATALOGUE: 'false',
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${closedPort}/streamctl`,
    }
    const child = execa(process.execPath, [BIN, 'serve', 'tagger'], {cwd: ROOT, reject: false, stdin: 'ignore', env})
    let logged = ''
    child.stderr?.on('data', (chunk: Buffer) => (logged += chunk.toString()))
    try {
      await eventually(
        async () => ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok ? true : undefined), // not listening yet: try again
        30_000,
        'the tagger to be ready',
      )
      const client = await connectTagger(`127.0.0.1:${grpcPort}`)
      const answer = await client.generateMetadata('breaking-news-election-night', {top: 2})
      client.close()
      expect(answer.labels[0]!.label).toBe('news')
      expect(answer.labels).toHaveLength(2)
      // Stopped while it is between two connect attempts.
      await eventually(async () => (logged.includes('retrying') ? true : undefined), 10_000, 'a warning about RabbitMQ')
    } finally {
      child.kill('SIGTERM')
    }
    const result = await child
    expect(result.exitCode).toBe(0)
    const output = `${String(result.stdout)}${String(result.stderr)}`
    expect(output).toMatch(/gRPC listening/)
    expect(output).toMatch(/warn tagging jobs: cannot reach RabbitMQ or Redis yet; retrying/)
  })
})
