// The tagger over real gRPC on a free port: labels, the deadline, and a bad video id.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {connectTagger, TaggerCallError, type TaggerClient} from '../../src/services/tagger/grpc-client.js'
import {startTaggerServer, type TaggerServer} from '../../src/services/tagger/grpc-server.js'

describe('tagger gRPC', () => {
  let server: TaggerServer
  let client: TaggerClient

  beforeAll(async () => {
    server = await startTaggerServer({
      host: '127.0.0.1',
      port: 0,
      lookup: async (id) => (id === 'v42' ? {title: 'Election night live', tags: ['politics', 'breaking']} : undefined),
    })
    client = await connectTagger(`127.0.0.1:${server.port}`)
  })
  afterAll(async () => {
    client?.close()
    await server?.close()
  })

  it('answers GenerateMetadata with zero-shot labels, from the id alone or the catalogue metadata', async () => {
    const sports = await client.generateMetadata('tennis-match-highlights', {top: 3})
    expect(sports.video_id).toBe('tennis-match-highlights')
    expect(sports.labels).toHaveLength(3)
    expect(sports.labels[0]!.label).toBe('sports')
    expect((await client.generateMetadata('v42')).labels[0]!.label).toBe('news')
    expect(await client.generateMetadata('tennis-match-highlights', {top: 3})).toEqual(sports)
    expect(server.calls.get('OK')).toBe(3)
  })

  it('rejects a malformed id as INVALID_ARGUMENT, which the gateway answers as 400', async () => {
    const error = await client.generateMetadata('bad id!').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TaggerCallError)
    expect((error as TaggerCallError).httpStatus).toBe(400)
  })

  it('reports an unreachable tagger as 503', async () => {
    const closed = await startTaggerServer({host: '127.0.0.1', port: 0})
    const port = closed.port
    await closed.close()
    const orphan = await connectTagger(`127.0.0.1:${port}`)
    const error = await orphan.generateMetadata('anything', {deadlineMs: 500}).catch((caught: unknown) => caught)
    orphan.close()
    expect([503, 504]).toContain((error as TaggerCallError).httpStatus)
  })
})
