// A malformed-input corpus against the real gateway over raw sockets, while other tenants' traffic
// flows: bad JSON, truncations, oversized bodies and heads, wrong types, invalid UTF-8 and NUL in
// every string field, header abuse, pipelining and slow clients. Must hold: no 5xx answer to anyone,
// the gateway never crashes, every neighbour's request is accepted, and afterwards the quota
// invariants (0 drift, 0 open reservations, 0 double charge, request counters equal to stored
// requests).
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {SeededRandom} from '../../src/lib/random/seeded.js'
import {
  createInferenceStack,
  generate,
  quotaTotals,
  userQuotaToday,
  type InferenceStack,
} from '../helpers/inference-stack.js'
import {rawConnection} from '../helpers/raw-http.js'
import {eventually} from '../helpers/services.js'
import {printFigure, scaled} from '../helpers/trials.js'

/** One exchange: what the client writes (with pauses), and whether it half-closes when done. */
interface Case {
  name: string
  parts: Array<Buffer | string | {pauseMs: number}>
  /** Keep the connection open after writing (a client that stalls): the server must close it. */
  stall?: boolean
  /** Half-close after writing, as a client that has nothing more to send (the server may then close). */
  halfClose?: boolean
  /** Final answers to wait for (default 1); the server closing ends the wait too. */
  answers?: number
}

interface Answered {
  statuses: number[]
  closedByServer: boolean
}

const MAX_BODY_BYTES = 4096

describe('gateway malformed-input corpus', () => {
  let stack: InferenceStack
  let port: number
  let auth: string

  beforeAll(async () => {
    stack = await createInferenceStack({users: {mallory: 'roomy', alice: 'roomy', bob: 'roomy'}})
    await stack.start('llm-sim', {
      LLM_LATENCY_MIN_MS: '10',
      LLM_LATENCY_MAX_MS: '40',
      LLM_LATENCY_MEDIAN_MS: '20',
      LLM_RPM_LIMIT: '1000000',
    })
    await stack.start('collector')
    await stack.start('worker', {WORKER_PREFETCH: '64'})
    const gateway = await stack.start('gateway', {
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      MAX_PROMPT_CHARS: '1000',
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '2000',
    })
    port = Number(new URL(gateway.url).port)
    auth = `Bearer ${stack.users.mallory!.apiKey}`
  })
  afterAll(async () => {
    await stack?.close()
  })

  it(
    'answers every case without a 5xx, keeps serving the other tenants, and keeps the quota invariants',
    {timeout: 600_000},
    async () => {
      const corpus = buildCorpus(auth, new SeededRandom(7, 'gateway-corpus'))
      expect(corpus.length).toBeGreaterThanOrEqual(300)

      // The other tenants' traffic, flowing the whole time.
      let flowing = true
      const neighbours: number[] = []
      const traffic = (async () => {
        for (let index = 0; flowing; index++) {
          const user = stack.users[index % 2 === 0 ? 'alice' : 'bob']!
          neighbours.push(
            (await generate(`http://127.0.0.1:${port}`, user, {prompt: `neighbour ${index}`, max_tokens: 16})).status,
          )
        }
      })()

      const statuses: Record<string, number> = {}
      const serverErrors: string[] = []
      let accepted = 0
      const stalls: Array<{name: string; closedByServer: boolean}> = []
      // Many at a time: slow clients overlap with everything else.
      for (let start = 0; start < corpus.length; start += 24) {
        const answers = await Promise.all(
          corpus.slice(start, start + 24).map(async (entry) => ({entry, answer: await exchange(port, entry)})),
        )
        for (const {entry, answer} of answers) {
          for (const status of answer.statuses) {
            statuses[status] = (statuses[status] ?? 0) + 1
            if (status >= 500) serverErrors.push(`${entry.name}: ${status}`)
            if (status === 202) accepted++
          }
          if (answer.statuses.length === 0) statuses['closed'] = (statuses['closed'] ?? 0) + 1
          if (entry.stall) stalls.push({name: entry.name, closedByServer: answer.closedByServer})
        }
      }
      flowing = false
      await traffic
      printFigure('gateway-corpus', {
        trials: corpus.length,
        failures: serverErrors.length,
        accepted,
        neighbours: neighbours.length,
        statuses: Object.entries(statuses)
          .map(([status, count]) => `${status}:${count}`)
          .join('/'),
      })
      expect(serverErrors).toEqual([])
      expect(neighbours.filter((status) => status !== 202)).toEqual([])
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200)

      // Afterwards: everything admitted settles; the counters equal what was stored, nothing is open.
      await eventually(
        async () =>
          (await stack.redis.hlen('quota:open')) === 0 && (await stack.redis.zcard('dispatch:pending')) === 0
            ? true
            : undefined,
        90_000,
        'every admission settled',
      )
      const totals = await quotaTotals(stack)
      expect(totals.used - totals.usageLogSum).toBe(0)
      expect(totals.reserved).toBe(0)
      for (const name of ['mallory', 'alice', 'bob']) {
        const user = stack.users[name]!
        const stored = await stack.pg.query<{rows: number; charged: number; charges: number}>(
          'SELECT count(*)::int AS rows, count(u.request_id)::int AS charged, (SELECT count(*)::int FROM usage_log WHERE user_id = $1) AS charges FROM requests r LEFT JOIN usage_log u USING (request_id) WHERE r.user_id = $1',
          [user.userId],
        )
        const {rows, charged, charges} = stored.rows[0]!
        expect(
          (await userQuotaToday(stack, user.userId)).requests,
          `${name}'s request counter equals its stored requests`,
        ).toBe(rows)
        expect(charged, `${name}'s stored requests are each charged`).toBe(rows)
        expect(charges, `${name}'s charges, one per request`).toBe(rows)
        // Every corpus case is mallory's: what is stored for her is exactly what she was told was accepted.
        if (name === 'mallory') expect(rows, "mallory's stored requests equal the 202s she received").toBe(accepted)
      }
      // The stalled clients were cut by the server's timeouts, not left open.
      expect(stalls.filter((stall) => !stall.closedByServer).map((stall) => stall.name)).toEqual([])
    },
  )
})

/**
 * Sends a case over a fresh connection and reads its answers: until it has as many final answers
 * as it expects, the server closes, or (a stalled client) the server's timeouts should have cut it.
 */
async function exchange(port: number, entry: Case): Promise<Answered> {
  const connection = await rawConnection(`http://127.0.0.1:${port}`)
  let closedByServer = false
  void connection.closed.then(() => (closedByServer = true))
  for (const part of entry.parts) {
    if (connection.socket.destroyed) break
    if (typeof part === 'object' && !Buffer.isBuffer(part))
      await new Promise((pause) => setTimeout(pause, part.pauseMs))
    else connection.socket.write(part)
  }
  if (entry.halfClose) connection.socket.end()
  const responses = await connection.responsesUntil(
    entry.stall ? Number.POSITIVE_INFINITY : (entry.answers ?? 1),
    entry.stall ? 8000 : 10_000,
  )
  connection.socket.destroy()
  return {statuses: responses.map((response) => response.status), closedByServer}
}

/** The corpus: every category, each case named for the failure message. */
function buildCorpus(auth: string, random: SeededRandom): Case[] {
  const cases: Case[] = []
  const request = (body: Buffer | string, headers: Record<string, string> = {}, path = '/v1/generate') => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body)
    const head = {
      host: 'gateway',
      authorization: auth,
      'content-type': 'application/json',
      'content-length': String(bytes.length),
      ...headers,
    }
    const lines = Object.entries(head)
      .filter(([, value]) => value !== '')
      .map(([name, value]) => `${name}: ${value}`)
    return Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`), bytes])
  }
  const add = (name: string, ...parts: Case['parts']) => cases.push({name, parts})
  const valid = JSON.stringify({prompt: 'Recommend a film.', max_tokens: 16})

  // Bad JSON.
  for (const body of [
    '{',
    '}',
    '{"prompt":',
    '{"prompt":"x"',
    '{"prompt":"x",}',
    "{'prompt':'x'}",
    '{"prompt":"x"}}',
    '[',
    'nul',
    'tru',
    '{"prompt":"\\x41"}',
    '{"prompt":"\\u12"}',
    '{"prompt":01}',
    '{"max_tokens":1e}',
    '{"prompt":"x" "model":"y"}',
    '{prompt:"x"}',
    '\u0000',
    ' ',
    '{"prompt":"x"}garbage',
    '{"a":'.repeat(200),
  ])
    add(`bad JSON ${JSON.stringify(body).slice(0, 40)}`, request(body))
  // Truncations: the declared length is the whole body, fewer bytes come, and the client half-closes.
  for (let cut = 0; cut < valid.length; cut += 2)
    cases.push({
      name: `truncated at ${cut}`,
      parts: [request(valid).subarray(0, request(valid).length - valid.length + cut)],
      halfClose: true,
    })
  // Oversized: declared, streamed chunked, and a head beyond the server's limit.
  add('oversized declared', request(JSON.stringify({prompt: 'x'.repeat(MAX_BODY_BYTES * 2)})))
  add(
    'oversized declared only',
    Buffer.from(
      `POST /v1/generate HTTP/1.1\r\nhost: g\r\nauthorization: ${auth}\r\ncontent-type: application/json\r\ncontent-length: 999999999\r\n\r\n{"prompt":`,
    ),
  )
  add(
    'oversized chunked',
    Buffer.from(
      `POST /v1/generate HTTP/1.1\r\nhost: g\r\nauthorization: ${auth}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`,
    ),
    ...Array.from({length: 6}, () => `400\r\n${'y'.repeat(1024)}\r\n`),
    '0\r\n\r\n',
  )
  add('head too large', request(valid, {'x-filler': 'z'.repeat(20_000)}))
  add('prompt over MAX_PROMPT_CHARS', request(JSON.stringify({prompt: 'p'.repeat(1001)})))
  // Wrong types in every field.
  const wrong: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, '', 'x', [], ['x'], {}, {a: 1}, 2 ** 53]
  for (const field of ['prompt', 'model', 'max_tokens']) {
    for (const value of wrong)
      add(`${field} = ${JSON.stringify(value)}`, request(JSON.stringify({prompt: 'hi', [field]: value})))
  }
  for (const body of ['null', '[]', '"prompt"', '42', 'true', '{}', JSON.stringify({prompt: 'hi', extra: 1})])
    add(`body ${body}`, request(body))
  // Invalid UTF-8, NUL and lone surrogates in every string field (and in a key).
  const invalidBytes = [
    [0xff],
    [0xc3, 0x28],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xe2, 0x82],
    [0xf0, 0x9f, 0x98],
    [0xfe, 0xfe],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  ]
  for (const field of ['prompt', 'model', 'key']) {
    const around = (inner: Buffer) =>
      field === 'key'
        ? Buffer.concat([Buffer.from('{"prompt":"hi","'), inner, Buffer.from('":1}')])
        : Buffer.concat([
            Buffer.from(field === 'model' ? '{"prompt":"hi","model":"gpt' : '{"prompt":"hi'),
            inner,
            Buffer.from('"}'),
          ])
    for (const bytes of invalidBytes)
      add(`invalid UTF-8 ${Buffer.from(bytes).toString('hex')} in ${field}`, request(around(Buffer.from(bytes))))
    for (const escape of ['\\u0000', '\\u0000\\u0000', 'a\\u0000b', '\\ud800', '\\udfff', '\\ud800x', 'x\\udc00'])
      add(`${escape} in ${field}`, request(around(Buffer.from(escape))))
  }
  const event = {
    event_id: 'evt-corpus-1',
    type: 'view',
    user_id: 'u',
    content_id: 'c',
    watch_seconds: 10,
    ts: '2026-01-01T00:00:00Z',
  }
  for (const field of ['event_id', 'type', 'user_id', 'content_id', 'ts']) {
    for (const escape of ['\\u0000', '\\ud800'])
      add(
        `${escape} in event ${field}`,
        request(JSON.stringify({...event, [field]: 'PLACEHOLDER'}).replace('PLACEHOLDER', escape), {}, '/v1/events'),
      )
    const [before, after] = JSON.stringify({...event, [field]: 'PLACEHOLDER'}).split('PLACEHOLDER') as [string, string]
    add(
      `invalid UTF-8 in event ${field}`,
      request(Buffer.concat([Buffer.from(before), Buffer.from([0xff]), Buffer.from(after)]), {}, '/v1/events'),
    )
  }
  // Header abuse.
  const headerCases: Array<[string, Record<string, string>]> = [
    ['charset utf-16', {'content-type': 'application/json; charset=utf-16'}],
    ['charset latin1', {'content-type': 'application/json; charset="iso-8859-1"'}],
    ['gzip encoding on a plain body', {'content-encoding': 'gzip'}],
    ['br encoding', {'content-encoding': 'br'}],
    ['text/plain', {'content-type': 'text/plain'}],
    ['no content type', {'content-type': ''}],
    ['form', {'content-type': 'application/x-www-form-urlencoded'}],
    ['no authorization', {authorization: ''}],
    ['Basic auth', {authorization: 'Basic dXNlcjpwYXNz'}],
    ['Bearer with nothing', {authorization: 'Bearer '}],
    ['Bearer with junk', {authorization: 'Bearer \u00e9\u00e9'}],
    ['malformed key', {authorization: 'Bearer sctl_zzzz_yyyy'}],
    ['content-length not a number', {'content-length': 'abc'}],
    ['negative content-length', {'content-length': '-1'}],
    ['content-length and chunked', {'transfer-encoding': 'chunked'}],
    ['unknown transfer-encoding', {'transfer-encoding': 'gzip'}],
    ['expect 100-continue', {expect: '100-continue'}],
    ['expect unknown', {expect: 'teapot'}],
    ['no host', {host: ''}],
  ]
  for (const [name, headers] of headerCases) add(name, request(valid, headers))
  add(
    'two Authorization headers (valid + garbage)',
    Buffer.from(
      `POST /v1/generate HTTP/1.1\r\nhost: g\r\nauthorization: ${auth}\r\nauthorization: Bearer garbage\r\ncontent-type: application/json\r\ncontent-length: ${valid.length}\r\n\r\n${valid}`,
    ),
  )
  add(
    'two Content-Type headers',
    Buffer.from(
      `POST /v1/generate HTTP/1.1\r\nhost: g\r\nauthorization: ${auth}\r\ncontent-type: application/json\r\ncontent-type: text/plain\r\ncontent-length: ${valid.length}\r\n\r\n${valid}`,
    ),
  )
  add(
    'two different Content-Length headers',
    Buffer.from(
      `POST /v1/generate HTTP/1.1\r\nhost: g\r\nauthorization: ${auth}\r\ncontent-type: application/json\r\ncontent-length: ${valid.length}\r\ncontent-length: 3\r\n\r\n${valid}`,
    ),
  )
  add(
    'obsolete line folding',
    Buffer.from(
      `POST /v1/generate HTTP/1.1\r\nhost: g\r\nauthorization: Bearer\r\n ${auth.slice(7)}\r\ncontent-type: application/json\r\ncontent-length: ${valid.length}\r\n\r\n${valid}`,
    ),
  )
  add('header without a colon', Buffer.from(`POST /v1/generate HTTP/1.1\r\nhost g\r\n\r\n`))
  add('header name with a space', Buffer.from(`POST /v1/generate HTTP/1.1\r\nbad header: x\r\n\r\n`))
  add('NUL in a header value', Buffer.from(`POST /v1/generate HTTP/1.1\r\nhost: g\r\nx-a: a\u0000b\r\n\r\n`))
  add(
    'bare LF line endings',
    Buffer.from(
      `POST /v1/generate HTTP/1.1\nhost: g\nauthorization: ${auth}\ncontent-type: application/json\ncontent-length: ${valid.length}\n\n${valid}`,
    ),
  )
  for (const line of [
    'GET',
    'GET / HTTP/1.1 extra',
    'PRI * HTTP/2.0',
    'get /healthz HTTP/1.1',
    'POST /v1/generate HTTP/9.9',
    'POST /v1/generate HTTP/1.0',
    'BREW /v1/generate HTTP/1.1',
    `GET /${'a'.repeat(20_000)} HTTP/1.1`,
    'GET /v1/requests/%00 HTTP/1.1',
    'GET /v1/requests/%zz HTTP/1.1',
    'GET http://evil.example/v1/generate HTTP/1.1',
    'DELETE /v1/generate HTTP/1.1',
    '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003',
  ]) {
    add(
      `request line ${JSON.stringify(line).slice(0, 40)}`,
      Buffer.from(`${line}\r\nhost: g\r\nauthorization: ${auth}\r\n\r\n`, 'latin1'),
    )
  }
  // Mutations of a valid request body: one byte replaced at random (some stay valid, and are accepted).
  for (let index = 0; index < scaled(60); index++) {
    const body = Buffer.from(valid)
    body[Math.floor(random.next() * body.length)] = Math.floor(random.next() * 256)
    add(`mutated body ${index}`, request(body))
  }
  for (let index = 0; index < scaled(20); index++)
    add(
      `random bytes ${index}`,
      Buffer.from(Array.from({length: 10 + Math.floor(random.next() * 200)}, () => Math.floor(random.next() * 256))),
    )
  // Pipelining: several requests in one write, with junk, a bad one, or a bad length between them.
  const generateFor = (text: string) => request(JSON.stringify({prompt: text, max_tokens: 16}))
  const pipelined = (name: string, answers: number, ...parts: Case['parts']) => cases.push({name, parts, answers})
  pipelined(
    '3 generates + junk',
    4,
    generateFor('p1'),
    generateFor('p2'),
    generateFor('p3'),
    'THIS IS NOT HTTP\r\n\r\n',
  )
  pipelined(
    '3 generates, junk later',
    4,
    generateFor('p1'),
    generateFor('p2'),
    generateFor('p3'),
    {pauseMs: 200},
    'junk\r\n\r\n',
  )
  pipelined('generate, bad JSON, generate', 3, generateFor('p1'), request('{"prompt":'), generateFor('p3'))
  pipelined('generate, NUL, generate', 3, generateFor('p1'), request('{"prompt":"a\\u0000"}'), generateFor('p3'))
  pipelined(
    'generate, two Authorization, generate',
    3,
    generateFor('p1'),
    Buffer.from(
      `POST /v1/generate HTTP/1.1\r\nhost: g\r\nauthorization: ${auth}\r\nauthorization: x\r\ncontent-type: application/json\r\ncontent-length: ${valid.length}\r\n\r\n${valid}`,
    ),
    generateFor('p3'),
  )
  add(
    'generate with a short length, then the rest as a request',
    request(valid, {'content-length': String(valid.length - 5)}),
    generateFor('p2'),
  )
  pipelined('10 generates pipelined', 10, ...Array.from({length: 10}, (_, index) => generateFor(`p${index}`)))
  pipelined(
    'status polls and junk',
    4,
    Buffer.from(
      `GET /v1/requests/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nhost: g\r\nauthorization: ${auth}\r\n\r\n`.repeat(
        3,
      ),
    ),
    '\u0000\u0000\u0000\r\n\r\n',
  )
  for (let index = 0; index < 10; index++) {
    const split = Math.floor(random.next() * 60) + 1
    const bytes = Buffer.concat([generateFor(`split ${index}`), generateFor(`split ${index}b`)])
    pipelined(`pipelined pair split at ${split}`, 2, bytes.subarray(0, split), {pauseMs: 20}, bytes.subarray(split))
  }
  // Slow clients: byte by byte within the timeouts, and stalls the server must cut.
  const slow = generateFor('slow but complete')
  cases.push({
    name: 'slow head, byte by byte',
    parts: [...slow.subarray(0, 40)].flatMap((byte) => [Buffer.from([byte]), {pauseMs: 5}]).concat([slow.subarray(40)]),
  })
  cases.push({name: 'stalled mid-head', parts: [slow.subarray(0, 30)], stall: true})
  cases.push({name: 'stalled mid-body', parts: [slow.subarray(0, slow.length - 5)], stall: true})
  cases.push({name: 'stalled after the request line', parts: ['POST /v1/generate HTTP/1.1\r\n'], stall: true})
  cases.push({
    name: 'slowloris headers',
    parts: [
      'POST /v1/generate HTTP/1.1\r\n',
      ...Array.from({length: 40}, (_, index) => [`x-${index}: y\r\n`, {pauseMs: 100}]).flat(),
    ],
    stall: true,
  })
  cases.push({name: 'idle connection', parts: [], stall: true})
  return cases
}
