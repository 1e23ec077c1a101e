// The generic message codec: fields by version, compact forms and tagged fields in flexible
// versions (KIP-482), checked against byte layouts written out by hand from the protocol guide.
import {describe, expect, it} from 'vitest'
import {Decoder, MalformedFrameError} from '../../src/broker/protocol/decoder.js'
import {Encoder} from '../../src/broker/protocol/encoder.js'
import {array, field, MessageSchema, ZERO_UUID} from '../../src/broker/protocol/schema.js'
import {ApiVersionsResponseSchema} from '../../src/broker/protocol/apis/api-versions.js'

const schema = new MessageSchema(
  'Example',
  [
    field('name', 'string', '0+', {nullable: '2+'}),
    field('id', 'int64', '1+'),
    array('parts', [field('index', 'int32', '0+'), field('data', 'bytes', '0+')], '0+'),
    field('topicId', 'uuid', '3+'),
    field('hint', 'string', '2+', {tag: 0, nullable: '2+', default: null}),
    field('epoch', 'int32', '2+', {tag: 5, default: -1}),
  ],
  '2+',
)

const bytes = (encoder: Encoder) => [...encoder.toBuffer()]

describe('message schema', () => {
  it('writes a non-flexible version with int16 strings, int32 arrays and bytes, and no tagged fields', () => {
    const out = schema.encode(1, {name: 'ab', id: 7, parts: [{index: 1, data: Buffer.from([9])}], hint: 'x'})
    expect(bytes(out)).toEqual([0, 2, 97, 98, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 9])
  })

  it('writes a flexible version with compact lengths and a tagged section holding only non-defaults', () => {
    const out = schema.encode(2, {name: 'ab', id: 7, parts: [{index: 1, data: Buffer.from([9])}], epoch: 3})
    // name: len+1=3; id; parts: count+1=2, index, data len+1=2, 9, the part's empty tags; tags: 1 field, tag 5, size 4, int32 3
    expect(bytes(out)).toEqual([3, 97, 98, 0, 0, 0, 0, 0, 0, 0, 7, 2, 0, 0, 0, 1, 2, 9, 0, 1, 5, 4, 0, 0, 0, 3])
  })

  it('reads back what it wrote, with defaults for absent and untagged fields', () => {
    const value = {
      name: null,
      id: 2 ** 40,
      parts: [],
      topicId: '0123456789abcdef0123456789abcdef',
      hint: 'h',
      epoch: -1,
    }
    const read = schema.read(new Decoder(schema.encode(3, value).toBuffer()), 3)
    expect(read).toEqual({...value, topicId: '01234567-89ab-cdef-0123-456789abcdef'})
    const old = schema.read(new Decoder(schema.encode(0, {name: 'n', parts: []}).toBuffer()), 0)
    expect(old).toEqual({name: 'n', id: 0, parts: [], topicId: ZERO_UUID, hint: null, epoch: -1})
  })

  it('skips tagged fields it does not know, and rejects tags out of order', () => {
    // name "a", id 1, no parts, then two tags: 9 (unknown, 2 bytes) and 5 (epoch = 4)
    const known = [2, 97, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    const frame = Buffer.from([...known, 2, 5, 4, 0, 0, 0, 4, 9, 2, 0xff, 0xff])
    expect(schema.read(new Decoder(frame), 2)).toMatchObject({name: 'a', id: 1, epoch: 4})
    const unordered = Buffer.from([...known, 2, 9, 2, 0xff, 0xff, 5, 4, 0, 0, 0, 4])
    expect(() => schema.read(new Decoder(unordered), 2)).toThrow(MalformedFrameError)
  })

  it('refuses a null where the version does not allow one, and lengths past the frame', () => {
    expect(() => schema.encode(1, {name: null, parts: []})).toThrow(/name: null/)
    expect(() => schema.read(new Decoder(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])), 2)).toThrow(
      MalformedFrameError,
    )
    expect(() => schema.read(new Decoder(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x7f])), 2)).toThrow(
      MalformedFrameError,
    )
  })

  it('leaves a tagged struct out while every field of it is at its default', () => {
    const withStruct = new MessageSchema(
      'Tagged',
      [
        field(
          'state',
          [field('id', 'int32', '0+', {default: -1}), field('epoch', 'int64', '0+', {default: -1})],
          '0+',
          {tag: 1},
        ),
      ],
      '0+',
    )
    expect(bytes(withStruct.encode(0, {state: {id: -1, epoch: -1}}))).toEqual([0])
    const read = withStruct.read(new Decoder(withStruct.encode(0, {state: {id: 4, epoch: -1}}).toBuffer()), 0)
    expect(read).toEqual({state: {id: 4, epoch: -1}})
    expect(bytes(withStruct.encode(0, {}))).toEqual([0])
  })

  it('encodes ApiVersions v3 with compact arrays and an empty tagged section', () => {
    const out = ApiVersionsResponseSchema.encode(3, {
      errorCode: 0,
      apiKeys: [{apiKey: 18, minVersion: 0, maxVersion: 3}],
    })
    expect(bytes(out)).toEqual([0, 0, 2, 0, 18, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0])
  })
})
