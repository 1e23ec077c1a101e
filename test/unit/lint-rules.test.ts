// The lint step keeps the architecture's arrows (docs/architecture.md): these run the repo's own
// ESLint config on small sources placed where a change would put them.
import {ESLint} from 'eslint'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const eslint = new ESLint({cwd: root})

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, {filePath: path.join(root, file)})
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`)
}

describe('streamctl/layers', () => {
  it('fails an import of a service from src/lib', async () => {
    const found = await problems(
      'src/lib/report/new-chart.ts',
      "import {loadGatewayConfig} from '../../services/gateway/config.js'\nexport const config = loadGatewayConfig\n",
    )
    expect(found).toEqual([
      'streamctl/layers: src/lib must not import src/services (docs/architecture.md: src/lib never depends on src/services)',
    ])
  })

  it('fails an import of the broker or a command from src/lib', async () => {
    const found = await problems(
      'src/lib/kafka/new-admin.ts',
      "export {Broker} from '../../broker/broker.js'\nexport const command = import('../../commands/bench.js')\n",
    )
    expect(found).toHaveLength(2)
    expect(found[0]).toMatch(/src\/lib must not import src\/broker/)
    expect(found[1]).toMatch(/src\/lib must not import src\/commands/)
  })

  it('fails a lib folder importing one above it, and passes one below it', async () => {
    const upward = await problems(
      'src/lib/sla/new-target.ts',
      "import type {BenchOptions} from '../bench/run.js'\nexport type Options = BenchOptions\n",
    )
    expect(upward).toEqual([
      'streamctl/layers: lib/sla must not import lib/bench: bench sits above sla in the layers (move the shared piece down)',
    ])
    const downward = await problems(
      'src/lib/bench/new-step.ts',
      "import type {SlaTarget} from '../sla/targets.js'\nexport type Target = SlaTarget\n",
    )
    expect(downward).toEqual([])
  })

  it('asks for a new lib folder to be placed in the order', async () => {
    const found = await problems(
      'src/lib/newfolder/thing.ts',
      "import {formatDuration} from '../text/duration.js'\nexport const format = formatDuration\n",
    )
    expect(found).toEqual([
      'streamctl/layers: lib/newfolder is not in the layer order of eslint.config.js: add it where it belongs',
    ])
  })

  it("keeps services' shared rooms below the services, and the rooms in their order", async () => {
    const upward = await problems(
      'src/services/http/new-middleware.ts',
      "import type {ServiceRuntime} from '../runtime/service-runtime.js'\nexport type Runtime = ServiceRuntime\n",
    )
    expect(upward).toEqual([
      'streamctl/layers: services/http must not import services/runtime: runtime sits above http in the layers (move the shared piece down)',
    ])
    const intoAService = await problems(
      'src/services/amqp/new-queue.ts',
      "import {readWorkerConfig} from '../worker/config.js'\nexport const read = readWorkerConfig\n",
    )
    expect(intoAService).toHaveLength(1)
    expect(intoAService[0]).toMatch(/services\/amqp must not import services\/worker/)
  })

  it('lets services import lib', async () => {
    const found = await problems(
      'src/services/gateway/new-route.ts',
      "import {StreamctlError} from '../../lib/errors.js'\nexport const error = StreamctlError\n",
    )
    expect(found).toEqual([])
  })
})

describe('streamctl/explained-ignore', () => {
  it('fails a swallowed error that does not say why', async () => {
    const found = await problems(
      'src/lib/host/new-probe.ts',
      'export async function close(socket: {end(): Promise<void>}) {\n  await socket.end().catch(() => undefined)\n  try {\n    await socket.end()\n  } catch {}\n}\n',
    )
    expect(found.filter((problem) => problem.startsWith('streamctl/explained-ignore'))).toHaveLength(2)
  })

  it("fails an 'error' listener or a rejection handler that drops the error", async () => {
    const found = await problems(
      'src/lib/host/new-probe.ts',
      [
        "import {Socket} from 'node:net'",
        'export function watch(socket: Socket, done: Promise<void>) {',
        "  socket.on('error', () => {})",
        '  // a comment about something else, two lines up, does not explain the next line',
        '  const x = 1',
        '  return done.then(() => x, () => undefined)',
        '}',
        '',
      ].join('\n'),
    )
    expect(found.filter((problem) => problem.startsWith('streamctl/explained-ignore'))).toHaveLength(2)
  })

  it('passes one with a comment at the end of the line, above it, or inside the block', async () => {
    const found = await problems(
      'src/lib/host/new-probe.ts',
      [
        'export async function close(socket: {end(): Promise<void>}) {',
        '  await socket.end().catch(() => undefined) // closing twice is harmless',
        '  // a socket the peer closed has nothing left to end',
        '  await socket.end().catch(() => {})',
        '  try {',
        '    await socket.end()',
        '  } catch {',
        '    // already closed',
        '  }',
        '}',
        '',
      ].join('\n'),
    )
    expect(found).toEqual([])
  })
})
