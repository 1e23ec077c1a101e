// The gateway's read-side routes (mountReadSide) on the service kit, for tests of those routes.
import {Router} from '../../src/services/common/http/router.js'
import {silentLogger} from '../../src/services/common/log.js'
import {ServiceRuntime, type RunningService} from '../../src/services/common/runtime.js'
import {mountReadSide} from '../../src/services/gateway/read-side.js'
import {referenceManifest, REFERENCE_DIR} from './services.js'

export async function startReadSideGateway(env: Record<string, string>): Promise<RunningService> {
  const runtime = new ServiceRuntime({name: 'gateway', env: {HOST: '127.0.0.1', PORT: '0', ...env}, manifest: await referenceManifest(), stackDir: REFERENCE_DIR, log: process.env.TEST_SERVICE_LOGS ? undefined : silentLogger}, 0)
  const router = new Router()
  await mountReadSide(router, runtime)
  await runtime.listen(router)
  return runtime.running()
}
