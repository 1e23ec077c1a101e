// Headers a request may carry once. node:http keeps the first of a repeated Authorization, Host or
// Content-Type and drops the rest, so a proxy that reads the last one and the service would disagree
// about who is asking and what the body is; a repeat is refused instead. (A repeated Content-Length
// never gets here: node:http's parser refuses it, a 400 malformed_http.)
import {HttpError} from './errors.js'

const SINGLETON_HEADERS = new Map([
  ['authorization', 'Authorization'],
  ['content-type', 'Content-Type'],
  ['content-encoding', 'Content-Encoding'],
  ['host', 'Host'],
])

/** A 400 naming the first singleton header the request repeats; rawHeaders is [name, value, …]. */
export function repeatedHeaderError(rawHeaders: string[]): HttpError | undefined {
  const seen: string[] = []
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = SINGLETON_HEADERS.get(rawHeaders[index]!.toLowerCase())
    if (name === undefined) continue
    if (seen.includes(name))
      return new HttpError(400, 'duplicate_header', `the request has more than one ${name} header; send it once`)
    seen.push(name)
  }
  return undefined
}
