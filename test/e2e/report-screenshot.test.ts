// The picture of the HTML report in the README, docs/report.png: the report of a recorded
// `streamctl demo` run (test/fixtures/demo-peak-run.json.gz), rendered by the built CLI and shot by
// headless Chromium 1400 px wide, its top 1705 px: the verdict, the SLA table, the latency table and
// the first charts. Drawn from a fixed record, the picture changes only when the report does: commit
// it then.
import {mkdir, mkdtemp, readFile, rm, stat, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {dumpDom, screenshot} from '../helpers/chromium.js'
import {ROOT, runCli} from '../helpers/cli.js'

const FIXTURE = path.join(ROOT, 'test/fixtures/demo-peak-run.json.gz')
const PICTURE = path.join(ROOT, 'docs/report.png')
const WIDTH = 1400
const HEIGHT = 1705

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-screenshot-'))
})
afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

it('writes docs/report.png: the HTML report of a recorded demo run, every chart drawn', async () => {
  const record = path.join(dir, 'demo-peak-run.json')
  await writeFile(record, gunzipSync(await readFile(FIXTURE)))
  const html = path.join(dir, 'report.html')
  const rendered = await runCli(['report', record, '--format', 'html', '--out', html])
  expect(rendered.exitCode, rendered.stderr).toBe(0)
  const dom = await dumpDom(html)
  expect(dom).toMatch(/id="verdict">SLA PASSED: 10 of 10 targets met</)
  const drawn = [...dom.matchAll(/<figure class="chart-box" data-chart="([^"]+)" data-drawn="(yes|no)"/g)].map(
    (match) => [match[1], match[2]],
  )
  expect(drawn.length).toBeGreaterThanOrEqual(10)
  expect(drawn.filter(([, yes]) => yes !== 'yes')).toEqual([])

  await mkdir(path.dirname(PICTURE), {recursive: true})
  await screenshot(html, PICTURE, {width: WIDTH, height: HEIGHT})
  const png = await readFile(PICTURE)
  expect(png.subarray(1, 4).toString()).toBe('PNG')
  // IHDR: width and height, big-endian, at bytes 16 and 20.
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([WIDTH, HEIGHT])
  // Small enough for a README, large enough to be the page rather than a blank one.
  expect((await stat(PICTURE)).size).toBeGreaterThan(100_000)
  expect((await stat(PICTURE)).size).toBeLessThan(400_000)
})
