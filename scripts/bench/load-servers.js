// node:http servers for bench:load, each run in its own process so a load generator is measured alone:
//   node load-servers.js http                → answers "ok" at once, keep-alive
//   node load-servers.js capacity <R>        → answers in arrival order, at most R per second: at once
//                                             below R, from a growing queue above it (a server whose
//                                             capacity is known, well below the load generator's, and
//                                             does not depend on the CPU left to it)
//   node load-servers.js stall <P> <S>       → freezes for S ms of every P ms, then answers all held;
//                                             GET /__held returns the p90/p99/p99.9 (ms) of how long
//                                             it took to answer each request since the last /__held
//                                             (the truth as the server saw it, release burst included)
// Each counts the requests it answered: GET /__count returns the count so far (and is not counted),
// so a tool's requests are counted by the server rather than taken from the tool.
// Prints the port on stdout.
import http from 'node:http'
import {quantile} from './harness.js'

const [kind, ...numbers] = process.argv.slice(2)
const started = Date.now()
const held = []
let releaseTimer
let answered = 0
let answerTimes = []

function answer(response) {
  answered++
  response.end('ok')
}

/** Quantiles of the answer times since the last call, which starts a new window. */
function answerTimeQuantiles() {
  const sorted = answerTimes.sort((a, b) => a - b)
  answerTimes = []
  return {count: sorted.length, p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999)}
}

function httpHandler() {
  return (request, response) => {
    request.resume()
    answer(response)
  }
}

function capacityHandler([rate]) {
  const gapMs = 1000 / rate
  let nextFreeAt = 0
  return (request, response) => {
    request.resume()
    const now = performance.now()
    const at = Math.max(now, nextFreeAt)
    nextFreeAt = at + gapMs
    if (at === now) answer(response)
    else setTimeout(() => answer(response), at - now)
  }
}

function stallHandler([period, stall]) {
  const answerTimed = (response, arrived) => {
    answer(response)
    answerTimes.push(performance.now() - arrived)
  }
  return (request, response) => {
    request.resume()
    const arrived = performance.now()
    const phase = (Date.now() - started) % period
    if (phase >= stall) return answerTimed(response, arrived)
    held.push([response, arrived])
    releaseTimer ??= setTimeout(() => {
      releaseTimer = undefined
      for (const [waiting, since] of held.splice(0)) answerTimed(waiting, since)
    }, stall - phase)
  }
}

const handlers = {http: httpHandler, capacity: capacityHandler, stall: stallHandler}
if (!handlers[kind]) throw new Error(`load-servers.js: unknown server "${kind}" (http, capacity, stall)`)
const handle = handlers[kind](numbers.map(Number))
const server = http.createServer((request, response) => {
  if (request.url === '/__count') return response.end(String(answered))
  if (request.url === '/__held') return response.end(JSON.stringify(answerTimeQuantiles()))
  handle(request, response)
})
server.keepAliveTimeout = 120_000
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`))
