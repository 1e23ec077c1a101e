import {describe, expect, it} from 'vitest'
import {Population, syntheticUsers} from '../../src/lib/load/population.js'
import {SeededRandom} from '../../src/lib/random/seeded.js'
import {builtinTemplate} from '../../src/lib/load/reference-templates.js'
import {compileTemplate, TemplateError} from '../../src/lib/load/template.js'
import {compileRequestType, statusRequestFor, Workload} from '../../src/lib/load/workload.js'
import {ZipfSampler} from '../../src/lib/load/zipf.js'

const catalogue = {count: 100, prefix: 'content-', zipf: 1}

describe('Zipf popularity', () => {
  it('draws rank k in proportion to 1/k^s', () => {
    const zipf = new ZipfSampler(1000, 1.1)
    const random = new SeededRandom(3)
    const counts = new Array<number>(1000).fill(0)
    const draws = 200_000
    for (let i = 0; i < draws; i++) counts[zipf.sample(random)]!++
    for (const rank of [0, 1, 9]) expect(counts[rank]! / draws).toBeCloseTo(zipf.probability(rank), 2)
    expect(zipf.probability(0) / zipf.probability(1)).toBeCloseTo(2 ** 1.1, 6)
  })

  it('makes a few users hot, and which ones depends only on the seed', () => {
    const users = syntheticUsers(1000)
    const population = new Population(users, 1.2, catalogue, 9)
    const random = new SeededRandom(1)
    const hits = new Map<string, number>()
    for (let i = 0; i < 50_000; i++) {
      const user = population.pickUser(random)
      hits.set(user.id, (hits.get(user.id) ?? 0) + 1)
    }
    const top = [...hits.values()].sort((a, b) => b - a)
    // The hottest 1% of users take over a third of the requests.
    expect(top.slice(0, 10).reduce((sum, n) => sum + n, 0) / 50_000).toBeGreaterThan(0.33)
    expect(new Population(users, 1.2, catalogue, 9).userAtRank(0)).toEqual(population.userAtRank(0))
    expect(new Population(users, 1.2, catalogue, 10).userAtRank(0)).not.toEqual(population.userAtRank(0))
  })
})

describe('request templates', () => {
  const context = {
    seq: 7,
    run: '0a1b2c3d',
    user: {id: 'u-1', tier: 'pro', apiKey: 'sctl_k'},
    contentId: 'content-3',
    random: new SeededRandom(1),
  }

  it('renders placeholders', () => {
    expect(compileTemplate('/v1/{{user.id}}/{{content.id}}?n={{seq}}&t={{user.tier}}')(context)).toBe(
      '/v1/u-1/content-3?n=7&t=pro',
    )
    expect(compileTemplate('Bearer {{user.apiKey}}')(context)).toBe('Bearer sctl_k')
    expect(compileTemplate('{{vars.region}}', {region: 'eu'})(context)).toBe('eu')
    expect(compileTemplate('{{run.id}}-{{seq}}')(context)).toBe('0a1b2c3d-7')
    expect(Number(compileTemplate('{{int 5 6}}')(context))).toBeGreaterThanOrEqual(5)
  })

  it('rejects unknown placeholders and bad arguments with a message that says what exists', () => {
    expect(() => compileTemplate('{{user.name}}')).toThrow(TemplateError)
    expect(() => compileTemplate('{{user.name}}')).toThrow(/use user\.id, user\.apiKey/)
    expect(() => compileTemplate('{{int 9 1}}')).toThrow(/int takes two integers/)
    expect(() => compileTemplate('{{vars.x}}')).toThrow(/no "x" under vars/)
  })

  it('builds the reference stack requests from the shared contract', () => {
    const generate = compileRequestType(builtinTemplate('generate'))
    expect(generate.path(context)).toBe('/v1/generate')
    expect(generate.metric).toBe('generate.accept')
    const body = JSON.parse(generate.body!(context)) as {prompt: string; max_tokens: number}
    expect(typeof body.max_tokens).toBe('number')
    expect(body.prompt).toContain('content-3')
    expect(compileRequestType(builtinTemplate('recommendations')).path(context)).toBe('/v1/recommendations/u-1')
    const event = JSON.parse(compileRequestType(builtinTemplate('events')).body!(context)) as Record<string, unknown>
    expect(event).toMatchObject({user_id: 'u-1', content_id: 'content-3'})
    expect(event.event_id).toBe('0a1b2c3d-7')
    expect(
      statusRequestFor('{"request_id":"r 1","status_url":"/v1/requests/r1","estimated_tokens":3}', {
        authorization: 'Bearer k',
      }),
    ).toEqual({method: 'GET', path: '/v1/requests/r1', headers: {authorization: 'Bearer k'}})
    expect(statusRequestFor('{"request_id":"r 1"}', {})).toEqual({method: 'GET', path: '/v1/requests/r%201'})
  })

  it('gives the events of every run new ids, and repeats everything else with the seed', () => {
    // The projector counts an event id once: a second run (or a run after its warm-up) that sent
    // the ids of the first would have its events dropped, or counted for another user.
    const events = [
      compileRequestType(builtinTemplate('events')),
      compileRequestType(builtinTemplate('recommendations')),
    ]
    const run = () => {
      const workload = new Workload(events, new Population(syntheticUsers(50), 1, catalogue, 4), 4)
      return Array.from({length: 200}, (_, seq) => workload.next(seq).attempt).flatMap((attempt) =>
        attempt.body ? [JSON.parse(attempt.body) as Record<string, unknown>] : [],
      )
    }
    const [first, second] = [run(), run()]
    const withoutIds = (sent: Array<Record<string, unknown>>) => sent.map(({event_id: _id, ts: _ts, ...rest}) => rest)
    expect(withoutIds(second)).toEqual(withoutIds(first))
    const ids = [...first, ...second].map((event) => String(event.event_id))
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
  })

  it('renders the same request sequence for the same seed', () => {
    const types = [
      compileRequestType({name: 'a', weight: 3, method: 'GET', path: '/a/{{user.id}}/{{id}}'}),
      compileRequestType({name: 'b', method: 'POST', path: '/b', body: {c: '{{content.id}}'}}),
    ]
    const run = (seed: number) => {
      const workload = new Workload(types, new Population(syntheticUsers(50), 1, catalogue, seed), seed)
      return Array.from({length: 200}, (_, seq) => workload.next(seq).attempt)
    }
    expect(run(4)).toEqual(run(4))
    expect(run(4)).not.toEqual(run(5))
    const share = run(4).filter((attempt) => attempt.method === 'GET').length / 200
    expect(share).toBeGreaterThan(0.65)
    expect(share).toBeLessThan(0.85)
  })
  it('builds a request without placeholders once, and the mix around it stays the same', () => {
    const constant = compileRequestType({
      name: 'health',
      method: 'get',
      path: '/health',
      headers: {accept: 'text/plain'},
      body: {probe: true},
    })
    expect(constant.fixed).toEqual({
      method: 'GET',
      path: '/health',
      headers: {accept: 'text/plain', 'content-type': 'application/json'},
      body: '{"probe":true}',
      fixed: true,
    })
    expect(compileRequestType({name: 'user', method: 'GET', path: '/u/{{user.id}}'}).fixed).toBeUndefined()
    expect(
      compileRequestType({name: 'auth', method: 'GET', path: '/', headers: {authorization: 'Bearer {{user.apiKey}}'}})
        .fixed,
    ).toBeUndefined()
    const varying = compileRequestType({name: 'user', method: 'GET', path: '/u/{{user.id}}'})
    const workload = new Workload([constant, varying], new Population(syntheticUsers(50), 1, catalogue, 4), 4)
    const sent = Array.from({length: 50}, (_, seq) => workload.next(seq).attempt)
    expect(sent.filter((attempt) => attempt.path === '/health').every((attempt) => attempt === constant.fixed)).toBe(
      true,
    )
    // The same seed with the constant type given a placeholder draws the same users for the rest.
    const templated = compileRequestType(
      {
        name: 'health',
        method: 'GET',
        path: '/health{{vars.none}}',
        headers: {accept: 'text/plain'},
        body: {probe: true},
      },
      {none: ''},
    )
    const again = new Workload([templated, varying], new Population(syntheticUsers(50), 1, catalogue, 4), 4)
    expect(Array.from({length: 50}, (_, seq) => again.next(seq).attempt.path)).toEqual(
      sent.map((attempt) => attempt.path),
    )
  })
})
