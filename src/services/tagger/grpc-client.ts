// The gateway's side of the tagger call: one long-lived channel, a deadline per call, and gRPC
// failures mapped to what the HTTP caller should see.
import type * as Grpc from '@grpc/grpc-js'
import {loadTaggerDefinition, type GenerateMetadataResponse} from './proto.js'

export class TaggerCallError extends Error {
  constructor(
    message: string,
    /** The HTTP status the gateway answers with: 400 bad id, 503 tagger down, 504 deadline. */
    readonly httpStatus: number,
  ) {
    super(message)
  }
}

export interface TaggerClient {
  generateMetadata(videoId: string, options?: {top?: number; deadlineMs?: number}): Promise<GenerateMetadataResponse>
  close(): void
}

export async function connectTagger(address: string): Promise<TaggerClient> {
  const {grpc, Client} = await loadTaggerDefinition()
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as Grpc.Client & {
    GenerateMetadata(
      request: object,
      options: Grpc.CallOptions,
      callback: (error: Grpc.ServiceError | null, response: GenerateMetadataResponse) => void,
    ): void
  }
  return {
    generateMetadata: (videoId, options = {}) =>
      new Promise((resolve, reject) => {
        const deadline = new Date(Date.now() + (options.deadlineMs ?? 2000))
        client.GenerateMetadata({video_id: videoId, top: options.top ?? 0}, {deadline}, (error, response) => {
          if (!error) return resolve(response)
          const httpStatus =
            error.code === grpc.status.INVALID_ARGUMENT ? 400 : error.code === grpc.status.DEADLINE_EXCEEDED ? 504 : 503
          reject(new TaggerCallError(`tagger at ${address}: ${error.details || error.message}`, httpStatus))
        })
      }),
    close: () => client.close(),
  }
}
