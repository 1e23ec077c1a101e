// Headless Chromium (Debian's `chromium`, installed by .ci/run) as a user's browser for the HTML
// report: the DOM after the page ran, and a screenshot. A fresh profile directory per call.
import {execa} from 'execa'
import {mkdtemp, rm} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]

async function chromium(args: string[]): Promise<string> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'streamctl-chromium-'))
  try {
    const result = await execa('chromium', [...FLAGS, `--user-data-dir=${profile}`, ...args], {
      timeout: 120_000,
      reject: false,
      stdin: 'ignore',
    })
    if (result.exitCode !== 0)
      throw new Error(`chromium exited ${result.exitCode}: ${String(result.stderr).slice(-2000)}`)
    return String(result.stdout)
  } finally {
    await rm(profile, {recursive: true, force: true})
  }
}

export const dumpDom = (file: string) => chromium(['--dump-dom', `file://${file}`])

/** The top `height` px of the page at `width` px wide. */
export const screenshot = (file: string, png: string, {width = 1400, height = 2400} = {}) =>
  chromium([`--window-size=${width},${height}`, '--hide-scrollbars', `--screenshot=${png}`, `file://${file}`])
