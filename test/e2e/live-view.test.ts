// `streamctl bench` in a real terminal: the built CLI under tmux at 80 and 160 columns against a
// local server, with a peak-shaped profile of five series. What a user would see go wrong: copies
// of the progress view left behind by redraws, lines wider than the pane (wrapped by the terminal),
// labels cut short, and a summary table whose columns wrap.
import {execa} from 'execa'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {textWidth} from '../../src/lib/text/fit-width.js'
import {BIN, ROOT} from '../helpers/cli.js'
import {startServer, type TestServer} from '../helpers/http-servers.js'

const SERIES = ['recommendations', 'events', 'generate.accept', 'status', 'e2e']
const EXIT_MARK = 'streamctl exited with '

let dir: string
let server: TestServer
let profile: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-live-view-'))
  let generated = 0
  server = await startServer((request, response) => {
    request.resume()
    request.on('end', () => {
      response.setHeader('content-type', 'application/json')
      if (request.method === 'POST' && request.url === '/v1/generate') {
        response.statusCode = 202
        response.end(JSON.stringify({request_id: String(++generated)}))
      } else if (request.url?.startsWith('/v1/requests/')) {
        response.end(JSON.stringify({status: 'completed'}))
      } else {
        response.end('{}')
      }
    })
  })
  profile = path.join(dir, 'peak.yaml')
  await writeFile(
    profile,
    `duration: 2m
rate: 20
arrival: poisson
stages:
  - {name: evening, curve: peak, rate: 1x, factor: 3, shape: {baseline: 20, rampUp: 20, hold: 40, rampDown: 20}}
requests:
  - {use: recommendations, weight: 6}
  - {use: events, weight: 3}
  - {use: generate, weight: 1}
sla:
  errors: rate<50%
`,
  )
})

afterAll(async () => {
  await tmux('kill-server').catch(() => undefined) // no tmux server left: nothing to kill
  await server.close()
  await rm(dir, {recursive: true, force: true})
})

// Its own tmux server on a socket in the test's directory: no session of the person running the tests is touched.
const tmux = (...args: string[]) => execa('tmux', ['-S', path.join(dir, 'tmux.sock'), ...args])

/** The pane and its scrollback, wrapped lines joined (so a line wider than the pane shows as one), trailing blanks dropped. */
async function capture(session: string): Promise<string[]> {
  const {stdout} = await tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session)
  return stdout.split('\n').map((line) => line.trimEnd())
}

async function captureWhen(session: string, ready: (lines: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const lines = await capture(session)
    if (ready(lines) || Date.now() > deadline) return lines
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const PROGRESS = /^\S peak .*\d+\/6 s \(\d+%\)/
const LEFTOVER = /[█░▁▂▃▄▅▆▇⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/
const seriesRow = (name: string) => new RegExp(`^ {2}${name.replace('.', '\\.')} +p99 +\\S+ +ok +\\S+`)
const tableRow = (name: string) => new RegExp(`^ {2}${name.replace('.', '\\.')} +\\d+ `)

async function benchInTmux(width: number): Promise<{midRun: string[]; final: string[]}> {
  const session = `w${width}`
  const command = `cd ${ROOT} && env -u CI ${process.execPath} ${BIN} bench ${profile} --target ${server.url} --duration 6s --out ${path.join(dir, `runs-${width}`)}; echo "${EXIT_MARK}$?"; sleep 600`
  await tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', '40', command)
  // Mid-run, once several intervals have been drawn over one another.
  const exited = (lines: string[]) => lines.some((line) => line.startsWith(EXIT_MARK))
  const midRun = await captureWhen(
    session,
    (lines) => exited(lines) || lines.some((line) => Number(/ (\d+)\/6 s /.exec(line)?.[1]) >= 3),
  )
  const final = await captureWhen(session, exited)
  await tmux('kill-session', '-t', session)
  return {midRun, final}
}

describe('the live view in a terminal', () => {
  for (const width of [80, 160]) {
    it(`at ${width} columns: one progress view redrawn in place, every line within the pane, every series named in full`, async () => {
      const {midRun, final} = await benchInTmux(width)

      expect(
        midRun.filter((line) => PROGRESS.test(line)),
        midRun.join('\n'),
      ).toHaveLength(1)
      for (const name of SERIES)
        expect(
          midRun.filter((line) => seriesRow(name).test(line)),
          name,
        ).toHaveLength(1)
      expect(midRun.join('\n')).toMatch(/offered \d+\/s \(originals\)/)
      expect(midRun.join('\n')).toMatch(/sent \d+\/s \(incl\. polls, retries\)/)
      for (const line of midRun) expect(textWidth(line), line).toBeLessThanOrEqual(width)

      expect(final).toContain(`${EXIT_MARK}0`)
      // Nothing of the progress view is left but its last line.
      expect(
        final.filter((line) => LEFTOVER.test(line)),
        final.join('\n'),
      ).toEqual([])
      expect(final.filter((line) => line.startsWith('✔ peak'))).toHaveLength(1)
      // A file's path is printed whole, however long, so that it can be copied: the terminal may wrap it.
      for (const line of final.filter((text) => !/ written to \S+$/.test(text)))
        expect(textWidth(line), line).toBeLessThanOrEqual(width)
      for (const name of SERIES)
        expect(
          final.filter((line) => tableRow(name).test(line)),
          name,
        ).toHaveLength(1)
      const header = final.find((line) => /^ {2}series +requests/.test(line))!
      if (width === 80) {
        expect(header).not.toContain('p99.9')
        expect(final).toContain('  (p90, p99.9 left out to fit 80 columns)')
      } else {
        expect(header).toMatch(/ p90 .* p99\.9 .* max /)
        expect(final.some((line) => line.includes('left out to fit'))).toBe(false)
      }
    }, 120_000)
  }
})
