// A Confluent-compatible schema registry (the REST subset registry clients use, JSON Schema only),
// served beside the embedded broker so `@kafkajs/confluent-schema-registry` and other clients can
// register and fetch event schemas without a JVM.
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {listen} from '../../lib/host/ports.js'
import {RegistryError} from './errors.js'
import {RegistryStore} from './store.js'

export interface RegistryOptions {
  host?: string
  port?: number
  /** Directory for the registry's state file; omit for an in-memory registry. */
  dataDir?: string
}

export interface RunningRegistry {
  host: string
  port: number
  url: string
  close(): Promise<void>
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'
const MAX_BODY = 4 * 1024 * 1024

type Handler = (params: string[], body: unknown, query: URLSearchParams) => Promise<unknown> | unknown

interface Route {
  method: string
  pattern: RegExp
  handle: Handler
}

export async function startSchemaRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const store = new RegistryStore(options.dataDir)
  await store.load()
  const routes = registryRoutes(store)
  const server = http.createServer((request, response) => {
    void serve(routes, request, response)
  })
  const host = options.host ?? '127.0.0.1'
  await listen(server, host, options.port ?? 8081)
  const {port} = server.address() as AddressInfo
  return {
    host,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function registryRoutes(store: RegistryStore): Route[] {
  const subjectOf = (raw: string) => decodeURIComponent(raw)
  const schemaText = (body: unknown): string => {
    const {schema, schemaType} = (body ?? {}) as {schema?: unknown; schemaType?: unknown}
    if (typeof schema !== 'string') throw new RegistryError('invalidSchema', 'The body needs a "schema" string.')
    if (schemaType !== undefined && schemaType !== 'JSON')
      throw new RegistryError(
        'invalidSchema',
        `schemaType ${String(schemaType)} is not supported here; this registry holds JSON schemas only.`,
      )
    return schema
  }
  const describe = (found: ReturnType<RegistryStore['version']>) => ({
    subject: found.subject,
    version: found.version,
    id: found.id,
    schemaType: 'JSON',
    schema: found.schema.schema,
  })
  return [
    {method: 'GET', pattern: /^\/$/, handle: () => ({})},
    {method: 'GET', pattern: /^\/schemas\/types$/, handle: () => ['JSON']},
    {
      method: 'GET',
      pattern: /^\/schemas\/ids\/(\d+)$/,
      handle: ([id]) => ({schemaType: 'JSON', schema: store.schemaById(Number(id)).schema}),
    },
    {
      method: 'GET',
      pattern: /^\/schemas\/ids\/(\d+)\/schema$/,
      handle: ([id]) => JSON.parse(store.schemaById(Number(id)).schema),
    },
    {
      method: 'GET',
      pattern: /^\/subjects$/,
      handle: (_params, _body, query) => store.subjects(query.get('deleted') === 'true'),
    },
    {
      method: 'GET',
      pattern: /^\/subjects\/([^/]+)\/versions$/,
      handle: ([subject]) => store.versions(subjectOf(subject!)),
    },
    {
      method: 'GET',
      pattern: /^\/subjects\/([^/]+)\/versions\/([^/]+)$/,
      handle: ([subject, version]) => describe(store.version(subjectOf(subject!), version!)),
    },
    {
      method: 'GET',
      pattern: /^\/subjects\/([^/]+)\/versions\/([^/]+)\/schema$/,
      handle: ([subject, version]) => JSON.parse(store.version(subjectOf(subject!), version!).schema.schema),
    },
    {
      method: 'POST',
      pattern: /^\/subjects\/([^/]+)\/versions$/,
      handle: async ([subject], body) => ({id: (await store.register(subjectOf(subject!), schemaText(body))).id}),
    },
    {
      method: 'POST',
      pattern: /^\/subjects\/([^/]+)$/,
      handle: ([subject], body) => {
        const found = store.lookup(subjectOf(subject!), schemaText(body))
        if (!found) {
          store.versions(subjectOf(subject!)) // 40401 when the subject itself is unknown
          throw new RegistryError('schemaNotFound')
        }
        return describe(found)
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/subjects\/([^/]+)$/,
      handle: ([subject], _body, query) => store.deleteSubject(subjectOf(subject!), query.get('permanent') === 'true'),
    },
    {
      method: 'POST',
      pattern: /^\/compatibility\/subjects\/([^/]+)\/versions\/([^/]+)$/,
      handle: ([subject, version], body, query) => {
        const messages = store.compatibilityWith(subjectOf(subject!), version!, schemaText(body))
        return {is_compatible: messages.length === 0, ...(query.get('verbose') === 'true' ? {messages} : {})}
      },
    },
    {method: 'GET', pattern: /^\/config$/, handle: () => ({compatibilityLevel: store.compatibility()})},
    {
      method: 'PUT',
      pattern: /^\/config$/,
      handle: async (_params, body) => ({compatibility: await store.setCompatibility(compatibilityOf(body))}),
    },
    {
      method: 'GET',
      pattern: /^\/config\/([^/]+)$/,
      handle: ([subject], _body, query) => {
        const level = store.subjectCompatibility(subjectOf(subject!))
        if (level) return {compatibilityLevel: level}
        if (query.get('defaultToGlobal') === 'true') return {compatibilityLevel: store.compatibility()}
        throw new RegistryError('subjectConfigNotFound')
      },
    },
    {
      method: 'PUT',
      pattern: /^\/config\/([^/]+)$/,
      handle: async ([subject], body) => ({
        compatibility: await store.setCompatibility(compatibilityOf(body), subjectOf(subject!)),
      }),
    },
  ]
}

function compatibilityOf(body: unknown): string {
  const {compatibility} = (body ?? {}) as {compatibility?: unknown}
  if (typeof compatibility !== 'string')
    throw new RegistryError('invalidCompatibility', 'The body needs a "compatibility" string.')
  return compatibility
}

async function serve(routes: Route[], request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const reply = (status: number, payload: unknown) => {
    const body = JSON.stringify(payload)
    response.writeHead(status, {'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(body)})
    response.end(body)
  }
  try {
    const url = new URL(request.url ?? '/', 'http://registry')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const matching = routes.filter((route) => route.pattern.test(path))
    const route = matching.find((candidate) => candidate.method === request.method)
    if (!route) {
      if (matching.length > 0)
        return reply(405, {error_code: 405, message: `HTTP 405 Method ${request.method} Not Allowed`})
      throw new RegistryError('routeNotFound')
    }
    const body = request.method === 'POST' || request.method === 'PUT' ? await readJson(request) : undefined
    const params = route.pattern.exec(path)!.slice(1)
    reply(200, await route.handle(params, body, url.searchParams))
  } catch (error) {
    if (error instanceof RegistryError) reply(error.status, {error_code: error.errorCode, message: error.message})
    else reply(500, {error_code: 50001, message: `Error in the backend data store: ${(error as Error).message}`})
  }
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new RegistryError('badRequest', `Body larger than ${MAX_BODY} bytes.`)
    chunks.push(chunk as Buffer)
  }
  if (size === 0) return undefined
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new RegistryError('badRequest', 'The body is not valid JSON.')
  }
}
