// Malformed input closes only the offending connection: the broker keeps serving everyone else.
import {readFileSync} from 'node:fs'
import net from 'node:net'
import {Kafka, logLevel} from 'kafkajs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {advertisedVersions, ApiKey, SUPPORTED_VERSIONS} from '../../src/broker/protocol/api-keys.js'
import {Encoder} from '../../src/broker/protocol/encoder.js'
import {buildRecordBatch} from '../../src/broker/protocol/record-batch-builder.js'
import {startBrokerProcess, type BrokerProcess} from '../helpers/broker.js'
import {printFigure, scaled} from '../helpers/trials.js'

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1'

let broker: BrokerProcess
let kafka: Kafka

beforeAll(async () => {
  broker = await startBrokerProcess()
  kafka = new Kafka({brokers: broker.brokers, clientId: 'robustness-test', logLevel: logLevel.NOTHING})
})
afterAll(async () => {
  await broker?.cleanup()
})

/** Sends bytes on a fresh connection; resolves with whatever came back once the broker closes it. */
function sendAndAwaitClose(bytes: Buffer, timeoutMs = 10_000): Promise<{closed: boolean; received: Buffer}> {
  return new Promise((resolve) => {
    const socket = net.connect(broker.port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({closed: false, received: Buffer.concat(chunks)})
    }, timeoutMs)
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', () => undefined) // the broker closing a bad connection is what the test checks
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({closed: true, received: Buffer.concat(chunks)})
    })
    socket.on('connect', () => socket.write(bytes))
  })
}

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length)
  return Buffer.concat([size, body])
}

function header(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  const bytes = Buffer.alloc(10)
  bytes.writeInt16BE(apiKey, 0)
  bytes.writeInt16BE(apiVersion, 2)
  bytes.writeInt32BE(correlationId, 4)
  bytes.writeInt16BE(0, 8) // empty client id
  return bytes
}

/** A deterministic stream of "random" bytes (xorshift32), so a failure can be replayed. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length)
  let state = seed
  for (let index = 0; index < length; index++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    bytes[index] = state & 0xff
  }
  return bytes
}

describe('broker robustness', () => {
  it('closes only the connection that sent garbage, an oversized frame, a truncated request or an unknown API, and keeps serving a live client', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'robust', numPartitions: 1}]})
    const producer = kafka.producer()
    await producer.connect()
    let sent = 0
    const stillServing = async () => {
      await producer.send({topic: 'robust', messages: [{value: `alive-${sent++}`}]})
      const [partition] = await admin.fetchTopicOffsets('robust')
      expect(Number(partition!.high)).toBe(sent)
    }
    await stillServing()

    // Random bytes inside a well-sized Produce frame: the body cannot be decoded.
    const garbage = await sendAndAwaitClose(frame(Buffer.concat([header(0, 7, 1), pseudoRandomBytes(200, 0x5eed)])))
    expect(garbage).toEqual({closed: true, received: Buffer.alloc(0)})
    await stillServing()

    // Plain random bytes whose first four bytes claim an impossible size.
    const noise = pseudoRandomBytes(512, 0xbad)
    noise.writeUInt32BE(0xfffffff0, 0)
    expect((await sendAndAwaitClose(noise)).closed).toBe(true)
    await stillServing()

    // A size prefix far beyond the frame limit is refused before any allocation.
    const oversized = Buffer.alloc(8)
    oversized.writeInt32BE(0x7fffffff, 0)
    expect((await sendAndAwaitClose(oversized)).closed).toBe(true)
    await stillServing()

    // A Metadata v1 request whose frame ends in the middle of the topic count.
    const truncated = await sendAndAwaitClose(frame(Buffer.concat([header(3, 1, 7), Buffer.from([0x00, 0x00])])))
    expect(truncated).toEqual({closed: true, received: Buffer.alloc(0)})
    await stillServing()

    // An API key nobody defined: answered with UNSUPPORTED_VERSION (35), then closed.
    const unknown = await sendAndAwaitClose(frame(header(999, 0, 42)))
    expect(unknown.closed).toBe(true)
    expect(unknown.received.readInt32BE(4)).toBe(42)
    expect(unknown.received.readInt16BE(8)).toBe(35)
    await stillServing()

    // A known API at a version we do not speak: the same answer.
    const version = await sendAndAwaitClose(frame(header(0, 99, 43)))
    expect(version.closed).toBe(true)
    expect(version.received.readInt16BE(8)).toBe(35)
    await stillServing()

    expect(broker.isRunning()).toBe(true)
    const warnings = broker.logs.filter((entry) => entry.level === 'warn').map((entry) => entry.msg)
    expect(warnings).toEqual(
      expect.arrayContaining([
        'connection closed: malformed request',
        'connection closed: bad frame size',
        'connection closed: unsupported API',
      ]),
    )
    await producer.disconnect()
    await admin.disconnect()
  })

  it('answers pipelined requests in order on one connection, and an ApiVersions version above its own with error 35 and the v0 list', async () => {
    const above = SUPPORTED_VERSIONS.ApiVersions.maxVersion + 1
    const requests = [
      // A flexible request header (v2): the client id, then an empty tagged-field section.
      frame(Buffer.concat([header(18, above, 1), Buffer.from([0])])),
      frame(Buffer.concat([header(3, 1, 2), Buffer.from([0xff, 0xff, 0xff, 0xff])])),
      frame(header(18, 0, 3)),
      frame(header(16, 0, 4)),
    ]
    const responses = await pipelined(requests)
    expect(responses.map((response) => response.readInt32BE(0))).toEqual([1, 2, 3, 4])
    // Too new a request, v0 body: error 35 then the (non-compact) array of supported APIs.
    const served = advertisedVersions().length
    expect(responses[0]!.readInt16BE(4)).toBe(35)
    expect(responses[0]!.readInt32BE(6)).toBe(served)
    expect(responses[2]!.readInt16BE(4)).toBe(0)
    expect(responses[2]!.readInt32BE(6)).toBe(served)
  })

  it('answers pipelined produce requests of mixed sizes in order, with consecutive offsets, and serves the records back in order', async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'pipelined', numPartitions: 1}]})
    await admin.disconnect()
    // Small batches share the socket's read chunks; 40 KB and 100 KB ones arrive in several pieces.
    const sizes = Array.from({length: 40}, (_, index) => [30, 1000, 40_000, 100_000][index % 4]!)
    const batches = sizes.map((size, index) =>
      buildRecordBatch([{value: Buffer.alloc(size, index)}, {value: `second of ${index}`}]),
    )
    const requests = batches.map((batch, index) => {
      const body = new Encoder()
        .writeNullableString(null)
        .writeInt16(1)
        .writeInt32(30_000)
        .writeArray(['pipelined'], (topic, name) =>
          topic
            .writeString(name)
            .writeArray([batch], (partition, records) => partition.writeInt32(0).writeBytes(records)),
        )
        .toBuffer()
      return frame(Buffer.concat([header(0, 3, 100 + index), body]))
    })
    const responses = await pipelined(requests)
    // Produce v3 response: correlation id, [topic name, [partition, error, base offset, append time]], throttle.
    expect(responses.map((response) => response.readInt32BE(0))).toEqual(sizes.map((_, index) => 100 + index))
    const answers = responses.map((response) => {
      const partitionAt = 4 + 4 + 2 + response.readInt16BE(8) + 4
      return {
        error: response.readInt16BE(partitionAt + 4),
        baseOffset: Number(response.readBigInt64BE(partitionAt + 6)),
      }
    })
    expect(answers).toEqual(sizes.map((_, index) => ({error: 0, baseOffset: index * 2})))

    const consumer = kafka.consumer({groupId: 'pipelined-reader', maxBytes: 1 << 20})
    await consumer.connect()
    await consumer.subscribe({topic: 'pipelined', fromBeginning: true})
    const values: Buffer[] = []
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({message}) => {
          values.push(message.value!)
          if (values.length === sizes.length * 2) resolve()
        },
      })
    })
    await consumer.disconnect()
    expect(values.map((value) => value.length)).toEqual(
      sizes.flatMap((size, index) => [size, `second of ${index}`.length]),
    )
    expect(values.every((value, at) => at % 2 === 1 || value.every((byte) => byte === (at / 2) % 256))).toBe(true)
  })

  // PRODUCT.md §7 "malformed frames": a seeded corpus (scaled by RELIABILITY_TRIALS) of captured
  // kafkajs/kcat requests with flipped bytes, cut bodies and lying size prefixes, plus random bodies
  // behind valid headers, sent 16 connections at a time while a live client keeps producing.
  it('survives a fuzz corpus of malformed frames without crashing or disturbing a live client', async () => {
    const corpusSize = scaled(400)
    const corpus = fuzzCorpus(corpusSize, 0xf0220)
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({topics: [{topic: 'fuzz-live', numPartitions: 1}]})
    const producer = kafka.producer()
    await producer.connect()
    let produced = 0
    let stop = false
    const live = (async () => {
      while (!stop) {
        await producer.send({topic: 'fuzz-live', acks: -1, messages: [{value: `live-${produced}`}]})
        produced++
      }
    })()
    const closedByBroker = await sendCorpus(corpus)
    stop = true
    await live
    const [partition] = await admin.fetchTopicOffsets('fuzz-live')
    expect(Number(partition!.high)).toBe(produced)
    expect(produced).toBeGreaterThan(0)
    expect(broker.isRunning()).toBe(true)
    // Every fuzzed connection ended (none hung the broker), and it still answers a new client.
    expect(closedByBroker).toBe(corpus.length)
    expect((await admin.fetchTopicMetadata({topics: ['fuzz-live']})).topics[0]!.name).toBe('fuzz-live')
    printFigure('broker-fuzz', {trials: corpus.length, failures: broker.isRunning() ? 0 : 1, liveRecords: produced})
    await producer.disconnect()
    await admin.disconnect()
  })
})

describe('broker robustness at flexible versions', () => {
  // KIP-482 frames: request header v2 and bodies with tagged-field sections, at every flexible
  // version served. Each is cut short, given tags out of order or sizes that overrun the frame, or
  // random bytes; a well-formed one with unknown tags is answered (they are skipped).
  it('closes only the connection that sent a broken flexible frame, skips unknown tags, and never crashes', async () => {
    const corpus = flexibleCorpus(scaled(300), 0xf1e8)
    const admin = kafka.admin()
    await admin.connect()
    const closedByBroker = await sendCorpus(corpus)
    expect(broker.isRunning()).toBe(true)
    expect(closedByBroker).toBe(corpus.length)
    await admin.createTopics({topics: [{topic: 'after-flexible-fuzz', numPartitions: 1}]})
    expect((await admin.fetchTopicMetadata({topics: ['after-flexible-fuzz']})).topics[0]!.name).toBe(
      'after-flexible-fuzz',
    )
    await admin.disconnect()

    // ApiVersions v3 with two unknown tags in its header and in its body is answered (error 0).
    const tags = Buffer.from([2, 7, 1, 0xaa, 9, 2, 0xbb, 0xcc])
    const body = Buffer.concat([Buffer.from([4]), Buffer.from('fuz'), Buffer.from([2]), Buffer.from('1'), tags])
    const answered = await sendAndAwaitClose(frame(Buffer.concat([header(18, 3, 77), tags, body])), 2000)
    expect(answered.received.readInt32BE(4)).toBe(77)
    expect(answered.received.readInt16BE(8)).toBe(0)
    printFigure('broker-flexible-fuzz', {trials: corpus.length, failures: broker.isRunning() ? 0 : 1})
  })
})

/** Unsigned varint, as flexible versions write lengths and tags. */
function varint(value: number): Buffer {
  const bytes: number[] = []
  let rest = value >>> 0
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80)
    rest >>>= 7
  }
  bytes.push(rest)
  return Buffer.from(bytes)
}

/** `count` broken flexible-version frames derived deterministically from `seed`. */
function flexibleCorpus(count: number, seed: number): Buffer[] {
  let state = seed
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return state >>> 0
  }
  const flexible = Object.entries(SUPPORTED_VERSIONS).filter(([, range]) => range.flexibleFrom !== undefined)
  const randomTags = (ordered: boolean) => {
    const parts: Buffer[] = []
    const tagCount = 1 + (next() % 4)
    let tag = next() % 4
    for (let index = 0; index < tagCount; index++) {
      const data = pseudoRandomBytes(next() % 12, next() | 1)
      parts.push(varint(tag), varint(data.length), data)
      tag += ordered ? 1 + (next() % 5) : -(next() % 3)
      tag = Math.max(0, tag)
    }
    return Buffer.concat([varint(tagCount), ...parts])
  }
  const corpus: Buffer[] = []
  for (let index = 0; index < count; index++) {
    const [name, range] = flexible[next() % flexible.length]!
    const version = range.flexibleFrom! + (next() % (range.maxVersion - range.flexibleFrom! + 1))
    const head = Buffer.concat([header(apiKeyOf(name), version, index), randomTags(true)])
    const body = pseudoRandomBytes(next() % 200, next() | 1)
    switch (index % 4) {
      case 0:
        // Header tags in order, then a random body.
        corpus.push(frame(Buffer.concat([head, body])))
        break
      case 1: {
        // Tags out of order (or repeated) in the header.
        corpus.push(frame(Buffer.concat([header(apiKeyOf(name), version, index), randomTags(false), body])))
        break
      }
      case 2: {
        // A tag whose size runs past the end of the frame.
        const overrun = Buffer.concat([varint(1), varint(3), varint(1000 + (next() % 5000)), Buffer.from([1, 2, 3])])
        corpus.push(frame(Buffer.concat([header(apiKeyOf(name), version, index), overrun])))
        break
      }
      default: {
        // A frame cut anywhere after the fixed header, the size prefix matching the cut.
        const whole = Buffer.concat([head, body])
        corpus.push(frame(whole.subarray(0, 10 + (next() % Math.max(1, whole.length - 10)))))
      }
    }
  }
  return corpus
}

function apiKeyOf(name: string): number {
  return ApiKey[name as keyof typeof ApiKey]
}

/** Sends every entry of a corpus on its own connection, 16 at a time: how many the broker closed. */
async function sendCorpus(corpus: Buffer[]): Promise<number> {
  let closed = 0
  for (let start = 0; start < corpus.length; start += 16) {
    const outcomes = await Promise.all(corpus.slice(start, start + 16).map((bytes) => sendAndHalfClose(bytes)))
    closed += outcomes.filter(Boolean).length
  }
  return closed
}

/** Sends the frames in one write on one connection; resolves with one response body per frame, in arrival order. */
function pipelined(requests: Buffer[]): Promise<Buffer[]> {
  return new Promise<Buffer[]>((resolve, reject) => {
    const socket = net.connect(broker.port, '127.0.0.1')
    let buffered = Buffer.alloc(0)
    const frames: Buffer[] = []
    socket.on('error', reject)
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk])
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        frames.push(buffered.subarray(4, 4 + buffered.readInt32BE(0)))
        buffered = buffered.subarray(4 + buffered.readInt32BE(0))
      }
      if (frames.length === requests.length) {
        socket.destroy()
        resolve(frames)
      }
    })
    socket.on('connect', () => socket.write(Buffer.concat(requests)))
  })
}

/** Writes bytes, half-closes, and resolves true once the broker has closed its side (false: it hung). */
function sendAndHalfClose(bytes: Buffer, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(broker.port, '127.0.0.1')
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(false)
    }, timeoutMs)
    socket.on('data', () => undefined)
    socket.on('error', () => undefined) // the broker closing a bad connection is what the test checks
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
    socket.on('connect', () => socket.end(bytes))
  })
}

/** `count` malformed frames derived deterministically from `seed`. */
function fuzzCorpus(count: number, seed: number): Buffer[] {
  const captured = (
    JSON.parse(readFileSync(new URL('../fixtures/broker-request-frames.json', import.meta.url), 'utf8')) as {
      frames: Array<{hex: string}>
    }
  ).frames.map((entry) => Buffer.from(entry.hex, 'hex'))
  let state = seed
  const next = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return state >>> 0
  }
  const corpus: Buffer[] = []
  for (let index = 0; index < count; index++) {
    const base = Buffer.from(captured[next() % captured.length]!)
    switch (index % 5) {
      case 0: {
        // Flip a few bytes anywhere after the header's API key.
        for (let flips = 1 + (next() % 4); flips > 0; flips--) {
          const at = 2 + (next() % (base.length - 2))
          base[at] = base[at]! ^ (1 + (next() % 255))
        }
        corpus.push(frame(base))
        break
      }
      case 1:
        // A request cut short inside its body, with a size prefix that matches the cut.
        corpus.push(frame(base.subarray(0, 8 + (next() % Math.max(1, base.length - 8)))))
        break
      case 2: {
        // A size prefix that claims more (or less) than follows.
        const framed = frame(base)
        framed.writeInt32BE(Math.max(0, base.length + ((next() % 200) - 100)), 0)
        corpus.push(framed)
        break
      }
      case 3:
        // A valid header of a known API, then random bytes.
        corpus.push(
          frame(Buffer.concat([base.subarray(0, 8), Buffer.from([0, 0]), pseudoRandomBytes(next() % 300, next() | 1)])),
        )
        break
      default:
        // Noise, sometimes with a negative or huge size.
        corpus.push(pseudoRandomBytes(4 + (next() % 200), next() | 1))
    }
  }
  return corpus
}
