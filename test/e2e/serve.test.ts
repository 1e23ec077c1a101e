// `streamctl serve` as the local driver and developers run it: a real process, health and metrics
// endpoints, graceful exit on SIGTERM, and clear usage errors.
import {execa} from 'execa'
import {describe, expect, it} from 'vitest'
import {freePort} from '../../src/lib/host/ports.js'
import {BIN, ROOT, runCli} from '../helpers/cli.js'
import {eventually} from '../helpers/services.js'

describe('streamctl serve', () => {
  it('names the known services when asked for an unknown one (exit 2)', async () => {
    const result = await runCli(['serve', 'nope'])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/no service named "nope"/)
    expect(result.stderr).toMatch(/gateway/)
  })

  it('rejects a bad setting naming the variable (exit 2)', async () => {
    const result = await runCli(['serve', 'llm-sim', '--port', '0'], {
      env: {...process.env, LLM_RPM_LIMIT: 'lots', LLM_FOLLOW_SWITCHES: 'false'},
    })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/LLM_RPM_LIMIT="lots": expected an integer/)
  })

  it('serves /healthz, /readyz and /metrics on 127.0.0.1 and stops cleanly on SIGTERM', async () => {
    const port = await freePort()
    const child = execa(process.execPath, [BIN, 'serve', 'llm-sim', '--port', String(port), '--json'], {
      cwd: ROOT,
      env: {...process.env, LLM_FOLLOW_SWITCHES: 'false', CI: '1'},
      reject: false,
      stdin: 'ignore',
    })
    const base = `http://127.0.0.1:${port}`
    await eventually(
      async () =>
        (await fetch(`${base}/healthz`).then(
          (response) => response.status,
          () => 0,
        )) === 200
          ? true
          : undefined,
      20_000,
      'llm-sim to listen',
    )
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toMatch(/streamctl_service_info\{service="llm-sim",version="[^"]+"\} 1/)
    child.kill('SIGTERM')
    const result = await child
    expect(result.exitCode).toBe(0)
    expect(String(result.stderr)).toMatch(/llm-sim info listening url=/)
    expect(JSON.parse(String(result.stdout))).toMatchObject({services: [{name: 'llm-sim', url: base}], skipped: []})
  })
})
