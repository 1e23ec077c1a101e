// The tagger's gRPC server: GenerateMetadata(video_id) → zero-shot labels. The metadata of a
// known video (title, genres, tags, description from the content catalogue) sharpens the labels;
// an unknown one is classified by the words of its id alone.
import type * as Grpc from '@grpc/grpc-js'
import {ID_FORMAT} from '../http/validate.js'
import {classify, videoText, ZERO_SHOT_MODEL} from './classify.js'
import {loadTaggerDefinition, type GenerateMetadataRequest, type GenerateMetadataResponse} from './proto.js'

export interface VideoMetadataSource {
  (videoId: string): Promise<{title?: string; genres?: string[]; tags?: string[]; description?: string} | undefined>
}

export interface TaggerServer {
  port: number
  /** Calls answered so far, by gRPC status name. */
  calls: Map<string, number>
  close(): Promise<void>
}

export async function generateMetadata(
  request: GenerateMetadataRequest,
  lookup?: VideoMetadataSource,
): Promise<GenerateMetadataResponse> {
  const metadata = lookup ? await lookup(request.video_id) : undefined
  const labels = classify(
    videoText(request.video_id, metadata),
    request.top && request.top > 0 ? request.top : undefined,
  )
  return {video_id: request.video_id, labels, model: ZERO_SHOT_MODEL}
}

/** Starts the server on host:port (0 picks a free one). */
export async function startTaggerServer(options: {
  host: string
  port: number
  lookup?: VideoMetadataSource
  onCall?: (status: string) => void
}): Promise<TaggerServer> {
  const {grpc, service} = await loadTaggerDefinition()
  const calls = new Map<string, number>()
  const count = (status: string) => {
    calls.set(status, (calls.get(status) ?? 0) + 1)
    options.onCall?.(status)
  }
  const server = new grpc.Server()
  server.addService(service, {
    GenerateMetadata: (
      call: Grpc.ServerUnaryCall<GenerateMetadataRequest, GenerateMetadataResponse>,
      callback: Grpc.sendUnaryData<GenerateMetadataResponse>,
    ) => {
      // The video ids the tagger classifies, over gRPC or as a job; the gateway checks them first.
      if (!ID_FORMAT.pattern.test(call.request.video_id)) {
        count('INVALID_ARGUMENT')
        callback({code: grpc.status.INVALID_ARGUMENT, details: `video_id must be ${ID_FORMAT.description}`})
        return
      }
      generateMetadata(call.request, options.lookup).then(
        (response) => {
          count('OK')
          callback(null, response)
        },
        (error: Error) => {
          count('INTERNAL')
          callback({code: grpc.status.INTERNAL, details: error.message})
        },
      )
    },
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    )
  })
  return {
    port,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), 2000)
        server.tryShutdown(() => {
          clearTimeout(force)
          resolve()
        })
      }),
  }
}
