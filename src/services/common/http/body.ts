// Reads a JSON request body: the content type must be JSON, the size is capped (413 before the
// whole body arrives), and bad JSON is a 400 naming where it broke.
import type {IncomingMessage} from 'node:http'
import {HttpError} from './errors.js'

export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json${type ? `, not ${type}` : ''}`)
  }
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes)
  // Read with 'data' and 'end' listeners rather than `for await`: the async iterator cost about 4
  // µs per request on the gateway's hot path (measured in a CPU profile at 3,000 generate/s).
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const received: Buffer[] = []
    let size = 0
    const done = (error?: HttpError) => {
      request.off('data', onData).off('end', onEnd).off('error', onClosed).off('close', onClosed)
      if (error) {
        request.resume() // drain what is left, so the 4xx can still be written
        reject(error)
      } else resolve(received)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limitBytes) done(tooLarge(limitBytes))
      else received.push(chunk)
    }
    const onEnd = () => done()
    // The client went away mid-body: nobody is left to answer, and it is not the service's fault.
    const onClosed = () => done(new HttpError(400, 'client_closed_request', 'the client closed the connection before the body was complete'))
    if (request.readableEnded) return resolve(received)
    request.on('data', onData).on('end', onEnd).on('error', onClosed).on('close', onClosed)
  })
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') throw new HttpError(400, 'invalid_json', 'the request body is empty; send a JSON object')
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the request body is not valid JSON: ${(error as Error).message}`)
  }
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `the request body exceeds ${limitBytes} bytes`, {connection: 'close'})
}
