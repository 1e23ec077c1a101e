// Reads a JSON request body: the content type must be JSON in UTF-8 and uncompressed (415
// otherwise), the size is capped (413 before the whole body arrives), the bytes must be UTF-8 and
// bad JSON is a 400 naming where it broke; text no store would take is a 400 naming the field.
import {isUtf8} from 'node:buffer'
import type {IncomingMessage} from 'node:http'
import {clientClosedRequest, HttpError} from './errors.js'
import {rejectUnstorableText} from './validate.js'

/**
 * `readStopped` aborts when no more bytes of the request's connection will be read (a protocol error
 * or a timeout on it): a body not complete by then never will be, and the read fails with the
 * signal's reason.
 */
export async function readJsonBody(
  request: IncomingMessage,
  limitBytes: number,
  readStopped?: AbortSignal,
): Promise<unknown> {
  checkContentHeaders(request)
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes)
  // Read with 'data' and 'end' listeners rather than `for await`: the async iterator cost about 4
  // µs per request on the gateway's hot path (measured in a CPU profile at 3,000 generate/s).
  const chunks = await new Promise<Buffer[]>((resolve, reject) => {
    const received: Buffer[] = []
    let size = 0
    // A body the parser has seen whole is read in full whatever happens to the connection next.
    const stoppable = readStopped !== undefined && !request.complete
    const done = (error?: HttpError) => {
      request.off('data', onData).off('end', onEnd).off('error', onClosed).off('close', onClosed)
      if (stoppable) readStopped.removeEventListener('abort', onStopped)
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
    const onClosed = () => done(clientClosedRequest('the body was complete'))
    const onStopped = () => {
      if (!request.complete) done(readStopped!.reason as HttpError)
    }
    if (request.readableEnded) return resolve(received)
    // Gone before the handler asked for its body: 'close' has been emitted already.
    if (request.destroyed) return reject(clientClosedRequest('the body was complete'))
    if (stoppable && readStopped.aborted) return reject(readStopped.reason as HttpError)
    request.on('data', onData).on('end', onEnd).on('error', onClosed).on('close', onClosed)
    if (stoppable) readStopped.addEventListener('abort', onStopped)
  })
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  if (!isUtf8(bytes))
    throw new HttpError(400, 'invalid_utf8', 'the request body is not valid UTF-8; send JSON encoded as UTF-8')
  const text = bytes.toString('utf8')
  if (text.trim() === '') throw new HttpError(400, 'invalid_json', 'the request body is empty; send a JSON object')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the request body is not valid JSON: ${(error as Error).message}`)
  }
  rejectUnstorableText(text, value)
  return value
}

/** JSON (or a +json type), in UTF-8 when a charset is named, with no content coding but identity. */
function checkContentHeaders(request: IncomingMessage): void {
  const [type = '', ...parameters] = (request.headers['content-type'] ?? '').split(';')
  const mediaType = type.trim().toLowerCase()
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `Content-Type must be application/json${mediaType ? `, not ${mediaType}` : ''}`,
    )
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=', 2)
    const charset = value.trim().replace(/^"(.*)"$/, '$1')
    if (name.trim().toLowerCase() === 'charset' && !/^utf-?8$/i.test(charset)) {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `the body must be JSON in UTF-8, not charset ${charset}; send Content-Type: application/json`,
      )
    }
  }
  const encoding = request.headers['content-encoding']
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new HttpError(
      415,
      'unsupported_content_encoding',
      `Content-Encoding ${encoding} is not supported; send the body uncompressed, without a Content-Encoding`,
      {'accept-encoding': 'identity'},
    )
  }
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `the request body exceeds ${limitBytes} bytes`, {connection: 'close'})
}
