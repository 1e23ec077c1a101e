// Servers for bench:load, each run in its own process so the load generator is measured alone:
//   node load-servers.js trivial            → answers "ok" at once, keep-alive, without an HTTP
//                                             parser (a canned response per request head), so the
//                                             server is never what limits the load generators
//   node load-servers.js stall <P> <S>      → freezes for S ms of every P ms, then answers all
// Prints the port on stdout.
import http from 'node:http'
import net from 'node:net'

const [kind, periodText, stallText] = process.argv.slice(2)
const period = Number(periodText)
const stall = Number(stallText)
const started = Date.now()
const held = []
let releaseTimer

const CANNED = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=120\r\n\r\nok')

/** Bodiless GET requests: one canned response per request head, pipelined or not. */
function trivialServer() {
  return net.createServer((socket) => {
    socket.setNoDelay(true)
    let tail = ''
    socket.on('data', (chunk) => {
      const text = tail + chunk.toString('latin1')
      let count = 0
      let index = text.indexOf('\r\n\r\n')
      let last = 0
      while (index !== -1) {
        count++
        last = index + 4
        index = text.indexOf('\r\n\r\n', last)
      }
      tail = text.slice(last)
      if (count === 1) socket.write(CANNED)
      else if (count > 1) socket.write(Buffer.concat(Array.from({length: count}, () => CANNED)))
    })
    socket.on('error', () => {}) // a client that resets mid-request is part of a load test
  })
}

const server =
  kind === 'trivial'
    ? trivialServer()
    : http.createServer((request, response) => {
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
if (kind !== 'trivial') server.keepAliveTimeout = 120_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`))
