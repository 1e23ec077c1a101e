// Servers for bench:load, each run in its own process so the load generator is measured alone:
//   node load-servers.js trivial            → answers "ok" at once, keep-alive
//   node load-servers.js stall <P> <S>      → freezes for S ms of every P ms, then answers all
// Prints the port on stdout.
import http from 'node:http'

const [kind, periodText, stallText] = process.argv.slice(2)
const period = Number(periodText)
const stall = Number(stallText)
const started = Date.now()
const held = []
let releaseTimer

const server = http.createServer((request, response) => {
  request.resume()
  if (kind !== 'stall') return response.end('ok')
  const phase = (Date.now() - started) % period
  if (phase >= stall) return response.end('ok')
  held.push(response)
  releaseTimer ??= setTimeout(() => {
    releaseTimer = undefined
    for (const waiting of held.splice(0)) waiting.end('ok')
  }, stall - phase)
})
server.keepAliveTimeout = 120_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`))
