import {Args, Flags} from '@oclif/core'
import {StreamctlCommand, stackFlag} from '../cli/base-command.js'

export interface ServeResult {
  services: Array<{name: string; url: string}>
  skipped: string[]
}

export default class Serve extends StreamctlCommand<typeof Serve> {
  static override summary = 'Run reference-stack services (gateway, worker, collector, llm-sim, …) in the foreground.'
  static override description =
    'Each service takes its configuration from environment variables (DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, AMQP_URL, KAFKA_BROKERS, HOST, PORT and its own), exposes /healthz, /readyz and Prometheus /metrics, and binds 127.0.0.1 unless HOST says otherwise. `all` runs every service of the stack on its manifest port. SIGINT or SIGTERM stops them gracefully: requests drain, consumers ack, connections close.'
  static override examples = [
    '<%= config.bin %> serve llm-sim --port 8087',
    'DATABASE_URL=postgres://postgres@127.0.0.1/streamctl <%= config.bin %> serve gateway',
    '<%= config.bin %> serve all',
  ]
  static override args = {service: Args.string({required: true, description: 'A service name, or all.'})}
  static override flags = {
    stack: stackFlag,
    host: Flags.string({description: 'Address to listen on (overrides HOST).'}),
    port: Flags.integer({min: 0, max: 65_535, description: 'Port to listen on (overrides PORT; one service only).'}),
  }

  async run(): Promise<ServeResult> {
    const {resolveServiceStackDir} = await import('../lib/stack/locate.js')
    const {loadStack} = await import('../lib/stack/load-stack.js')
    const {serveServices} = await import('../services/serve.js')
    const stack = await loadStack(await resolveServiceStackDir(this.flags.stack))
    const {services, skipped} = await serveServices(this.args.service, {
      manifest: stack.manifest,
      stackDir: stack.dir,
      env: process.env,
      ...(this.flags.host === undefined ? {} : {host: this.flags.host}),
      ...(this.flags.port === undefined ? {} : {port: this.flags.port}),
    })
    for (const name of skipped) process.stderr.write(`serve: ${name} has no implementation in this build; skipped\n`)
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await Promise.all(services.map((service) => service.close()))
    return {services: services.map(({name, url}) => ({name, url})), skipped}
  }
}
