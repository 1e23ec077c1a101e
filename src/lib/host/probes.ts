// Wire-level probes that tell whether PostgreSQL, Redis and RabbitMQ really answer on a port, and
// which version, without loading their client libraries. Each speaks just enough of the protocol
// for the server to identify itself, then hangs up.
import http from 'node:http'
import net from 'node:net'

export interface ProbeResult {
  answers: boolean
  /** e.g. "PostgreSQL 15.19", "Redis 7.0.15", "RabbitMQ 3.10.8" */
  version?: string
  /** Anything worth telling: "password authentication required", the connection error. */
  note?: string
}

interface Exchange {
  host: string
  port: number
  timeoutMs: number
  request: Buffer
  /** Returns a result once enough bytes have arrived, or undefined to keep reading. */
  parse: (received: Buffer) => ProbeResult | undefined
}

function exchange({host, port, timeoutMs, request, parse}: Exchange): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0)
    let settled = false
    const socket = net.connect({host, port})
    const finish = (result: ProbeResult) => {
      if (settled) return
      settled = true
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(timeoutMs, () => finish({answers: false, note: `no answer within ${timeoutMs} ms`}))
    socket.on('connect', () => socket.write(request))
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk])
      try {
        const result = parse(received)
        if (result) finish(result)
      } catch (error) {
        finish({answers: false, note: `unexpected reply: ${(error as Error).message}`})
      }
    })
    socket.on('error', (error: NodeJS.ErrnoException) =>
      finish({answers: false, note: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}),
    )
    socket.on('close', () => finish({answers: false, note: 'connection closed without a reply'}))
  })
}

/** PostgreSQL: a StartupMessage; a trust-auth server replies with its server_version. */
export function probePostgres(
  host: string,
  port: number,
  user = process.env.PGUSER ?? 'postgres',
  timeoutMs = 2000,
): Promise<ProbeResult> {
  const params = Buffer.from(`user\0${user}\0database\0postgres\0\0`, 'utf8')
  const request = Buffer.alloc(8 + params.length)
  request.writeInt32BE(request.length, 0)
  request.writeInt32BE(196_608, 4) // protocol 3.0
  params.copy(request, 8)
  let authNote: string | undefined
  return exchange({
    host,
    port,
    timeoutMs,
    request,
    parse: (data) => {
      let offset = 0
      while (offset + 5 <= data.length) {
        const type = String.fromCharCode(data[offset]!)
        const length = data.readInt32BE(offset + 1)
        if (offset + 1 + length > data.length) return undefined
        const body = data.subarray(offset + 5, offset + 1 + length)
        offset += 1 + length
        if (type === 'R') {
          const code = body.readInt32BE(0)
          if (code !== 0)
            return {
              answers: true,
              version: 'PostgreSQL',
              note: `authentication required for user "${user}" (method ${code})`,
            }
          authNote = `trust authentication for user "${user}"`
        } else if (type === 'S') {
          const [name, value] = body.toString('utf8').split('\0')
          if (name === 'server_version')
            return {answers: true, version: `PostgreSQL ${value!.split(' ')[0]}`, ...(authNote ? {note: authNote} : {})}
        } else if (type === 'E') {
          const fields = body.toString('utf8').split('\0')
          const message = fields.find((field) => field.startsWith('M'))?.slice(1) ?? 'error'
          return {answers: true, version: 'PostgreSQL', note: message}
        } else {
          throw new Error(`message type ${JSON.stringify(type)} is not PostgreSQL`)
        }
      }
      return undefined
    },
  })
}

/** Redis: INFO server, answered with redis_version (or NOAUTH when a password is set). */
export function probeRedis(host: string, port: number, timeoutMs = 2000): Promise<ProbeResult> {
  return exchange({
    host,
    port,
    timeoutMs,
    request: Buffer.from('*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n'),
    parse: (data) => {
      const text = data.toString('latin1')
      if (text.startsWith('-')) {
        if (!text.includes('\r\n')) return undefined
        return {answers: true, version: 'Redis', note: text.slice(1, text.indexOf('\r\n'))}
      }
      if (!text.startsWith('$')) throw new Error('not a Redis reply')
      const header = text.indexOf('\r\n')
      if (header === -1) return undefined
      const length = Number(text.slice(1, header))
      if (data.length < header + 2 + length) return undefined
      const version = /redis_version:([^\r\n]+)/.exec(text)?.[1]
      return {answers: true, version: version ? `Redis ${version}` : 'Redis'}
    },
  })
}

/** RabbitMQ: the AMQP 0-9-1 protocol header; the server's Connection.Start carries its version. */
export function probeAmqp(host: string, port: number, timeoutMs = 3000): Promise<ProbeResult> {
  return exchange({
    host,
    port,
    timeoutMs,
    request: Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]),
    parse: (data) => {
      if (data.length >= 8 && data.subarray(0, 4).toString('latin1') === 'AMQP') {
        return {answers: true, version: 'AMQP', note: `server wants protocol ${[...data.subarray(4, 8)].join('.')}`}
      }
      if (data.length < 7) return undefined
      if (data[0] !== 1) throw new Error('not an AMQP method frame')
      const size = data.readUInt32BE(3)
      if (data.length < 7 + size + 1) return undefined
      const payload = data.subarray(7, 7 + size)
      if (payload.readUInt16BE(0) !== 10 || payload.readUInt16BE(2) !== 10) throw new Error('not Connection.Start')
      const properties = readFieldTable(payload, 6)
      const product = typeof properties.product === 'string' ? properties.product : 'AMQP server'
      const version = typeof properties.version === 'string' ? ` ${properties.version}` : ''
      return {answers: true, version: `${product}${version}`}
    },
  })
}

/** The string-valued entries of an AMQP 0-9-1 field table (other types are skipped). */
function readFieldTable(buffer: Buffer, start: number): Record<string, string> {
  const size = buffer.readUInt32BE(start)
  const end = start + 4 + size
  const out: Record<string, string> = {}
  let offset = start + 4
  while (offset < end) {
    const nameLength = buffer[offset]!
    const name = buffer.toString('utf8', offset + 1, offset + 1 + nameLength)
    offset += 1 + nameLength
    const type = String.fromCharCode(buffer[offset]!)
    offset += 1
    switch (type) {
      case 'S': {
        const length = buffer.readUInt32BE(offset)
        out[name] = buffer.toString('utf8', offset + 4, offset + 4 + length)
        offset += 4 + length
        break
      }
      case 'F':
        offset += 4 + buffer.readUInt32BE(offset)
        break
      case 't':
      case 'b':
      case 'B':
        offset += 1
        break
      case 's':
      case 'u':
        offset += 2
        break
      case 'I':
      case 'i':
      case 'f':
        offset += 4
        break
      case 'l':
      case 'd':
      case 'T':
        offset += 8
        break
      default:
        return out // a type we do not need to understand: stop rather than misread
    }
  }
  return out
}

/** Kafka: an ApiVersions v0 request; a broker answers with error 0 and the APIs it supports. */
export function probeKafka(host: string, port: number, timeoutMs = 2000): Promise<ProbeResult> {
  const clientId = Buffer.from('streamctl-probe')
  const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length)
  request.writeInt32BE(request.length - 4, 0)
  request.writeInt16BE(18, 4) // ApiVersions
  request.writeInt16BE(0, 6)
  request.writeInt32BE(0x5c71, 8)
  request.writeInt16BE(clientId.length, 12)
  clientId.copy(request, 14)
  return exchange({
    host,
    port,
    timeoutMs,
    request,
    parse: (data) => {
      if (data.length < 4) return undefined
      const size = data.readInt32BE(0)
      if (data.length < 4 + size) return undefined
      if (size < 10 || data.readInt32BE(4) !== 0x5c71) throw new Error('not a Kafka ApiVersions response')
      const errorCode = data.readInt16BE(8)
      const apis = data.readInt32BE(10)
      if (errorCode !== 0) return {answers: true, version: 'Kafka', note: `ApiVersions error ${errorCode}`}
      return {answers: true, version: 'Kafka', note: `${apis} APIs`}
    },
  })
}

/** HTTP: a GET answered with a 2xx. `version` comes from an `x-streamctl-version`-style JSON body if any. */
export function probeHttp(url: string, timeoutMs = 2000): Promise<ProbeResult & {status?: number; body?: string}> {
  return new Promise((resolve) => {
    const request = http.get(url, {timeout: timeoutMs}, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => {
        if (body.length < 64 * 1024) body += chunk
      })
      response.on('end', () => {
        const status = response.statusCode ?? 0
        const ok = status >= 200 && status < 300
        resolve({
          answers: ok,
          status,
          body,
          ...(ok ? {} : {note: `HTTP ${status}${body ? `: ${body.slice(0, 200).trim()}` : ''}`}),
        })
      })
    })
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({answers: false, note: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}),
    )
  })
}
