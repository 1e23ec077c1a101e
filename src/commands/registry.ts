import {Flags} from '@oclif/core'
import {StreamctlCommand} from '../cli/base-command.js'

export interface RegistryResult {
  url: string
  dataDir?: string
}

export default class Registry extends StreamctlCommand<typeof Registry> {
  static override summary = 'Run the Confluent-compatible schema registry (JSON schemas) in the foreground.'
  static override description =
    'Serves the REST subset registry clients use: subjects, versions, schemas by id, compatibility checks and config. State is kept in --data-dir. The local driver runs it beside the embedded broker. Stops cleanly on SIGINT or SIGTERM.'
  static override examples = ['<%= config.bin %> registry --port 8081 --data-dir ./data/registry']
  static override flags = {
    host: Flags.string({default: '127.0.0.1', description: 'Address to listen on.'}),
    port: Flags.integer({default: 8081, min: 0, max: 65_535, description: 'Port to listen on (0 picks a free one).'}),
    'data-dir': Flags.directory({description: 'Where to keep registry state (in memory when omitted).'}),
  }

  async run(): Promise<RegistryResult> {
    const {startSchemaRegistry} = await import('../broker/registry/server.js')
    const dataDir = this.flags['data-dir']
    if (dataDir) await (await import('node:fs/promises')).mkdir(dataDir, {recursive: true})
    const registry = await startSchemaRegistry({
      host: this.flags.host,
      port: this.flags.port,
      ...(dataDir ? {dataDir} : {}),
    })
    process.stderr.write(
      `${JSON.stringify({level: 'info', msg: 'schema registry listening', url: registry.url, dataDir: dataDir ?? null})}\n`,
    )
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve)
      process.once('SIGTERM', resolve)
    })
    await registry.close()
    process.stderr.write(`${JSON.stringify({level: 'info', msg: 'schema registry stopped'})}\n`)
    return {url: registry.url, ...(dataDir ? {dataDir} : {})}
  }
}
