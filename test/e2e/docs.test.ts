// The documents a user reads: the generated command reference is what `npm run readme` writes from
// the commands now (a flag changed without regenerating it fails here), and the README stays short
// with every relative link pointing at a file that exists.
import {execa} from 'execa'
import {cp, mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {servedApisTable} from '../../src/broker/protocol/api-keys.js'
import {ROOT} from '../helpers/cli.js'

describe('documentation', () => {
  it('docs/commands.md is what `npm run readme` generates from the commands', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'streamctl-docs-'))
    try {
      const committed = path.join(ROOT, 'docs/commands.md')
      const fresh = path.join(dir, 'commands.md')
      await cp(committed, fresh)
      await execa(
        process.execPath,
        [path.join(ROOT, 'node_modules/oclif/bin/run.js'), 'readme', '--no-aliases', '--readme-path', fresh],
        {cwd: ROOT, env: {OCLIF_SKIP_UPDATE_CHECK: '1'}},
      )
      expect(await readFile(fresh, 'utf8'), 'run `npm run readme` and commit docs/commands.md').toBe(
        await readFile(committed, 'utf8'),
      )
    } finally {
      await rm(dir, {recursive: true, force: true})
    }
  })

  it("README.md's table of the broker's APIs is the one the code serves", async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8')
    const block = /<!-- broker-apis:start[^>]*-->\n([\s\S]*?)\n<!-- broker-apis:end -->/.exec(readme)
    expect(block, 'README.md has the broker-apis block').not.toBeNull()
    expect(block![1], 'run `npm run readme` and commit README.md').toBe(servedApisTable())
  })

  it('README.md is under 500 lines and its relative links resolve', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8')
    expect(readme.split('\n').length).toBeLessThan(500)
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((match) => match[1]!)
      .filter((target) => !/^[a-z]+:/.test(target))
    expect(targets.length).toBeGreaterThan(3)
    for (const target of targets)
      expect(
        await stat(path.join(ROOT, target)).then(
          () => true,
          () => false,
        ),
        target,
      ).toBe(true)
  })
})
