// The gateway's HTTP layer against bad input that used to hurt other tenants or bill for a failure:
// text PostgreSQL cannot store, duplicated and unsupported headers, slow clients, and pipelined
// requests followed by bytes that are not HTTP. Each is refused before any quota is touched.
import {gzipSync} from 'node:zlib'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {eventually, metricValue} from '../helpers/services.js'
import {
  adminHeaders,
  authorized,
  chargedAndStored,
  createInferenceStack,
  generate,
  type InferenceStack,
} from '../helpers/inference-stack.js'
import {generateRequest, rawConnection, type RawConnection} from '../helpers/raw-http.js'

const HEADERS_TIMEOUT_MS = 1000
const REQUEST_TIMEOUT_MS = 2000
const JUNK = 'NOT HTTP AT ALL\r\n\r\n'

describe('gateway HTTP layer', () => {
  let stack: InferenceStack
  let gateway: string

  beforeAll(async () => {
    const users = Object.fromEntries(
      ['text', 'neighbour', 'headers', 'slow', 'idle', 'pipelined', 'later', 'vanishing', 'stalled'].map((name) => [
        name,
        'roomy',
      ]),
    )
    stack = await createInferenceStack({users})
    gateway = (
      await stack.start('gateway', {
        HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      })
    ).url
  })
  afterAll(async () => {
    await stack?.close()
  })
  const opened: RawConnection[] = []
  afterEach(() => {
    for (const connection of opened.splice(0)) connection.socket.destroy()
  })
  const connect = async () => {
    const connection = await rawConnection(gateway)
    opened.push(connection)
    return connection
  }

  const user = (name: string) => stack.users[name]!
  const post = async (
    name: string,
    body: string | Buffer,
    options: {path?: string; method?: string; headers?: Record<string, string>} = {},
  ) => {
    const response = await fetch(`${gateway}${options.path ?? '/v1/generate'}`, {
      method: options.method ?? 'POST',
      headers: {...authorized(user(name)), ...options.headers},
      body,
    })
    const text = await response.text()
    return {
      status: response.status,
      error: response.status >= 400 ? (JSON.parse(text) as {error: {code: string; message: string}}).error : undefined,
    }
  }

  it('refuses text PostgreSQL cannot store with a 400 naming the field, before any quota is touched', async () => {
    const deep = `{"prompt":"hi","nested":${'['.repeat(20_000)}"\\u0000"${']'.repeat(20_000)}}`
    const cases: Array<[string | Buffer, string, RegExp]> = [
      [
        JSON.stringify({prompt: 'a\u0000b'}),
        'invalid_text',
        /^field prompt contains a NUL character \(U\+0000\), which cannot be stored/,
      ],
      [JSON.stringify({prompt: 'hi', model: 'llama\u0000'}), 'invalid_text', /^field model contains a NUL character/],
      [
        JSON.stringify({prompt: 'half a \ud83d pair'}),
        'invalid_text',
        /^field prompt contains a lone UTF-16 surrogate/,
      ],
      ['{"prompt":"\\uDFFF"}', 'invalid_text', /^field prompt contains a lone UTF-16 surrogate/],
      [
        JSON.stringify({prompt: 'hi', ['max\u0000tokens']: 1}),
        'invalid_text',
        /^the field name "max\\u0000tokens" contains a NUL character/,
      ],
      [deep, 'invalid_text', /^field nested\[0\]\[0\].* contains a NUL character/],
      [
        Buffer.concat([Buffer.from('{"prompt":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
        'invalid_utf8',
        /not valid UTF-8/,
      ],
      [JSON.stringify({prompt: 'hi', model: 'gpt 4'}), 'bad_request', /^field model must be a model name/],
      [JSON.stringify({prompt: 'hi', model: '../../etc'}), 'bad_request', /^field model must be a model name/],
    ]
    for (const [body, code, message] of cases) {
      const result = await post('text', body)
      const what = String(body).slice(0, 60)
      expect(result.status, what).toBe(400)
      expect(result.error?.code, what).toBe(code)
      expect(result.error?.message, what).toMatch(message)
    }
    expect(await chargedAndStored(stack, user('text'))).toEqual({charged: 0, stored: 0})
    // An escaped backslash before u0000 is plain text, and a well-formed surrogate pair is an emoji.
    for (const prompt of ['C:\\u0000 is a path, not a NUL', 'rainy evening 🌧'])
      expect((await generate(gateway, user('text'), {prompt, model: 'llama-3.1:8b/q4_k'})).status, prompt).toBe(202)
    const stored = await stack.pg.query('SELECT prompt FROM requests WHERE user_id = $1 ORDER BY prompt', [
      user('text').userId,
    ])
    expect(stored.rows.map((row) => row.prompt)).toEqual(['C:\\u0000 is a path, not a NUL', 'rainy evening 🌧'])
  })

  it('refuses the same text on every route that reads a JSON body', async () => {
    const event = await post('text', JSON.stringify({event_id: 'e1', user_id: 'u\u0000', type: 'view'}), {
      path: '/v1/events',
    })
    expect(event).toEqual({
      status: 400,
      error: {code: 'invalid_text', message: expect.stringMatching(/^field user_id contains a NUL/)},
    })
    const patch = await post('text', JSON.stringify({faults: {llmErrorRate: 0, note: ['ok', '\ud800']}}), {
      path: '/admin/switches',
      method: 'PATCH',
      headers: adminHeaders(stack),
    })
    expect(patch).toEqual({
      status: 400,
      error: {
        code: 'invalid_text',
        message: expect.stringMatching(/^field faults\.note\[1\] contains a lone UTF-16 surrogate/),
      },
    })
  })

  it("never fails one tenant's generates because another's prompt held a NUL", async () => {
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all([
        post('text', JSON.stringify({prompt: 'x\u0000'})),
        ...Array.from({length: 30}, () => generate(gateway, user('neighbour'))),
      ])
      expect(results[0]!.status).toBe(400)
      expect(results.slice(1).map((result) => result.status)).toEqual(Array(30).fill(202))
    }
  })

  it('answers 400 to a duplicated Authorization, Content-Type, Content-Encoding, Content-Length or Host header', async () => {
    const key = user('headers').apiKey
    const cases: Array<[string, string[], RegExp]> = [
      ['a valid key, then garbage', ['Authorization: Bearer garbage'], /more than one Authorization header/],
      ['a second content type', ['Content-Type: text/plain'], /more than one Content-Type header/],
      [
        'two content encodings',
        ['Content-Encoding: identity', 'Content-Encoding: identity'],
        /more than one Content-Encoding header/,
      ],
      ['a second host', ['Host: elsewhere'], /more than one Host header/],
      ['a second content length (refused by the HTTP parser)', ['Content-Length: 30'], /malformed_http/],
    ]
    for (const [what, extra, message] of cases) {
      const connection = await connect()
      connection.socket.write(generateRequest(key, undefined, extra))
      const [response] = await connection.responsesUntil(1)
      expect(response?.status, what).toBe(400)
      expect(response?.body ?? '', what).toMatch(message)
    }
    expect(await chargedAndStored(stack, user('headers'))).toEqual({charged: 0, stored: 0})
  })

  it('answers 415 to a charset other than UTF-8 and to a compressed body', async () => {
    const body = JSON.stringify({prompt: 'hi', max_tokens: 8})
    const cases: Array<[Record<string, string>, string | Buffer, RegExp]> = [
      [{'content-type': 'application/json; charset=latin1'}, body, /charset latin1/],
      [{'content-type': 'application/json; charset="ISO-8859-1"'}, body, /charset ISO-8859-1/],
      [{'content-encoding': 'gzip'}, gzipSync(body), /send the body uncompressed/],
      [{'content-encoding': 'gzip'}, body, /send the body uncompressed/],
    ]
    for (const [headers, payload, message] of cases) {
      const result = await post('headers', payload, {headers})
      expect(result.status, JSON.stringify(headers)).toBe(415)
      expect(result.error?.message, JSON.stringify(headers)).toMatch(message)
    }
    expect(await chargedAndStored(stack, user('headers'))).toEqual({charged: 0, stored: 0})
    const accepted: Array<Record<string, string>> = [
      {'content-type': 'application/json; charset="UTF-8"'},
      {'content-type': 'application/json;charset=utf-8', 'content-encoding': 'identity'},
    ]
    for (const headers of accepted) {
      expect((await post('headers', body, {headers})).status, JSON.stringify(headers)).toBe(202)
    }
  })

  it('closes a connection whose headers trickle in, with a 408, long before they are complete', async () => {
    const connection = await connect()
    const request = generateRequest(user('slow').apiKey, undefined, [`X-Padding: ${'p'.repeat(200)}`])
    let sent = 0
    // A byte every 25 ms: the whole request would take about ten seconds.
    while (sent < request.length && !connection.socket.destroyed && connection.responses.length === 0) {
      connection.socket.write(request[sent++]!)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(sent).toBeLessThan(request.length / 2)
    await connection.closed
    expect(connection.responses.map((response) => response.status)).toEqual([408])
  })

  it('closes a request whose body trickles in, with a 408, and admits nothing', async () => {
    const connection = await connect()
    const request = generateRequest(user('slow').apiKey, {prompt: 'x'.repeat(400)})
    const headEnd = request.indexOf('\r\n\r\n') + 4
    connection.socket.write(request.slice(0, headEnd))
    let sent = headEnd
    while (sent < request.length && !connection.socket.destroyed && connection.responses.length === 0) {
      connection.socket.write(request[sent++]!)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(sent).toBeLessThan(request.length)
    await connection.closed
    expect(connection.responses.map((response) => response.status)).toEqual([408])
    expect(await chargedAndStored(stack, user('slow'))).toEqual({charged: 0, stored: 0})
  })

  it('keeps an idle keep-alive connection open past the header timeout', async () => {
    const connection = await connect()
    connection.socket.write(generateRequest(user('idle').apiKey))
    await connection.responsesUntil(1)
    await new Promise((resolve) => setTimeout(resolve, 2 * HEADERS_TIMEOUT_MS))
    connection.socket.write(generateRequest(user('idle').apiKey))
    expect((await connection.responsesUntil(2)).map((response) => response.status)).toEqual([202, 202])
  })

  describe('pipelined requests', () => {
    const pipelined = (name: string, count: number) =>
      Array.from({length: count}, () => generateRequest(user(name).apiKey)).join('')

    it('answers three generates and then the junk after them, in order, charging only what got a 202', async () => {
      const connection = await connect()
      connection.socket.write(pipelined('pipelined', 3) + JUNK)
      await connection.closed
      expect(connection.responses.map((response) => response.status)).toEqual([202, 202, 202, 400])
      expect(await chargedAndStored(stack, user('pipelined'))).toEqual({charged: 3, stored: 3})
    })

    it('does the same when the junk arrives in a later write', async () => {
      const connection = await connect()
      connection.socket.write(pipelined('later', 3))
      await new Promise((resolve) => setImmediate(resolve))
      connection.socket.write(JUNK)
      await connection.closed
      expect(connection.responses.map((response) => response.status)).toEqual([202, 202, 202, 400])
      expect(await chargedAndStored(stack, user('later'))).toEqual({charged: 3, stored: 3})
    })

    it('answers the generates before a body that never completes, then 408, charging only those', async () => {
      const connection = await connect()
      const last = generateRequest(user('stalled').apiKey)
      connection.socket.write(pipelined('stalled', 3) + last.slice(0, -4))
      expect((await connection.responsesUntil(4, 10 * REQUEST_TIMEOUT_MS)).map((response) => response.status)).toEqual([
        202, 202, 202, 408,
      ])
      await connection.closed
      expect(await chargedAndStored(stack, user('stalled'))).toEqual({charged: 3, stored: 3})
    })

    it('stores whatever it charged for a client that sends three generates and vanishes', async () => {
      for (let round = 0; round < 5; round++) {
        const connection = await connect()
        connection.socket.write(pipelined('vanishing', 3))
        connection.socket.destroy()
      }
      await new Promise((resolve) => setTimeout(resolve, 200)) // for the gateway to have read them
      await eventually(
        async () =>
          metricValue(
            await (await fetch(`${gateway}/metrics`)).text(),
            'streamctl_in_flight_requests{service="gateway"}',
          ) === 0
            ? true
            : undefined,
        10_000,
        'every request to be handled',
      )
      const {charged, stored} = await chargedAndStored(stack, user('vanishing'))
      expect(stored).toBe(charged)
    })
  })
})
