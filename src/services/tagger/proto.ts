// Loads tagger.proto once for both sides of the call. The file sits next to this module in src/
// and is copied beside it into dist/ by the build.
import type * as Grpc from '@grpc/grpc-js'
import {fileURLToPath} from 'node:url'

export const TAGGER_PROTO = fileURLToPath(new URL('tagger.proto', import.meta.url))

export interface GenerateMetadataRequest {
  video_id: string
  top?: number
}

export interface GenerateMetadataResponse {
  video_id: string
  labels: Array<{label: string; score: number}>
  model: string
}

export interface TaggerDefinition {
  grpc: typeof Grpc
  service: Grpc.ServiceDefinition
  Client: Grpc.ServiceClientConstructor
}

let loaded: Promise<TaggerDefinition> | undefined

/** grpc-js and proto-loader are imported here, lazily, so nothing else pays for them. */
export function loadTaggerDefinition(): Promise<TaggerDefinition> {
  loaded ??= (async () => {
    const grpc = await import('@grpc/grpc-js')
    const protoLoader = await import('@grpc/proto-loader')
    const definition = await protoLoader.load(TAGGER_PROTO, {keepCase: true, longs: Number, defaults: true})
    const Client = (
      grpc.loadPackageDefinition(definition) as unknown as {
        streamctl: {tagger: {v1: {Tagger: Grpc.ServiceClientConstructor}}}
      }
    ).streamctl.tagger.v1.Tagger
    return {grpc, service: Client.service, Client}
  })()
  return loaded
}
