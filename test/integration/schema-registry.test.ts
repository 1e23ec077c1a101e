// The embedded schema registry against a real registry client: @kafkajs/confluent-schema-registry.
import {SchemaRegistry, SchemaType} from '@kafkajs/confluent-schema-registry'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startSchemaRegistry, type RunningRegistry} from '../../src/broker/registry/server.js'
import {ROOT} from '../helpers/cli.js'

const userEventSchema = () => readFile(path.join(ROOT, 'stacks/reference/schemas/user-event.schema.json'), 'utf8')

describe('schema registry', () => {
  let dataDir: string
  let registry: RunningRegistry
  let client: SchemaRegistry

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-registry-'))
    registry = await startSchemaRegistry({port: 0, dataDir})
    client = new SchemaRegistry({host: registry.url}, {[SchemaType.JSON]: {strict: false}})
  })
  afterAll(async () => {
    await registry.close()
    await rm(dataDir, {recursive: true, force: true})
  })

  it('registers a JSON schema, fetches it by id and round-trips an event through encode/decode', async () => {
    const schema = await userEventSchema()
    const {id} = await client.register({type: SchemaType.JSON, schema}, {subject: 'user-events-value'})
    expect(id).toBe(1)
    expect(await client.getLatestSchemaId('user-events-value')).toBe(id)
    const fetched = await client.getSchema(id)
    expect(fetched).toBeDefined()
    const event = {event_id: 'evt_00000001', type: 'view', user_id: 'u1', content_id: 'c9', ts: '2026-11-22T20:15:00Z'}
    const encoded = await client.encode(id, event)
    expect(encoded[0]).toBe(0) // Confluent wire format: magic byte, then the 4-byte schema id
    expect(encoded.readInt32BE(1)).toBe(id)
    expect(await client.decode(encoded)).toEqual(event)
    // Registering the same schema again is idempotent.
    expect((await client.register({type: SchemaType.JSON, schema}, {subject: 'user-events-value'})).id).toBe(id)
    // The client's own validation runs against the schema fetched from us.
    await expect(client.encode(id, {...event, type: 'teleport'})).rejects.toThrow()
  })

  it('refuses an incompatible new version under BACKWARD and accepts a compatible one', async () => {
    const base = {type: 'object', properties: {id: {type: 'string'}}, required: ['id']}
    const {id: first} = await client.register(
      {type: SchemaType.JSON, schema: JSON.stringify(base)},
      {subject: 'orders-value'},
    )
    const breaking = {...base, properties: {...base.properties, amount: {type: 'number'}}, required: ['id', 'amount']}
    await expect(
      client.register({type: SchemaType.JSON, schema: JSON.stringify(breaking)}, {subject: 'orders-value'}),
    ).rejects.toThrow(/incompatible/i)
    const additive = {...base, properties: {...base.properties, note: {type: 'string'}}}
    const {id: second} = await client.register(
      {type: SchemaType.JSON, schema: JSON.stringify(additive)},
      {subject: 'orders-value'},
    )
    expect(second).toBeGreaterThan(first)
    const versions = (await (await fetch(`${registry.url}/subjects/orders-value/versions`)).json()) as number[]
    expect(versions).toEqual([1, 2])
  })

  it('answers with Confluent error codes', async () => {
    const missing = await fetch(`${registry.url}/subjects/nope/versions/latest`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({error_code: 40401})
    const badSchema = await fetch(`${registry.url}/subjects/x/versions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({schema: '{not json'}),
    })
    expect(badSchema.status).toBe(422)
    expect(await badSchema.json()).toMatchObject({error_code: 42201})
    const avro = await fetch(`${registry.url}/subjects/x/versions`, {
      method: 'POST',
      body: JSON.stringify({schema: '"string"', schemaType: 'AVRO'}),
    })
    expect(avro.status).toBe(422)
  })

  it('keeps subjects and ids across a restart', async () => {
    await registry.close()
    registry = await startSchemaRegistry({port: 0, dataDir})
    const again = new SchemaRegistry({host: registry.url})
    expect(await again.getLatestSchemaId('user-events-value')).toBe(1)
    const subjects = (await (await fetch(`${registry.url}/subjects`)).json()) as string[]
    expect(subjects).toEqual(['orders-value', 'user-events-value'])
  })
})
