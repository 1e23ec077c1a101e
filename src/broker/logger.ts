// Structured log lines (one JSON object per line) on stderr, as every streamctl component writes.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface BrokerLogger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void
}

export function jsonLogger(stream: NodeJS.WritableStream = process.stderr, minimum: LogLevel = 'info'): BrokerLogger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error']
  return {
    log(level, msg, fields = {}) {
      if (order.indexOf(level) < order.indexOf(minimum)) return
      stream.write(`${JSON.stringify({time: new Date().toISOString(), level, component: 'broker', msg, ...fields})}\n`)
    },
  }
}

export const silentLogger: BrokerLogger = {log: () => undefined}
