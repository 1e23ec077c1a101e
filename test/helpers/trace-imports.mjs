// Preloaded with `node --import` to record every module a run loads, ESM and CommonJS, into the
// file named by TRACE_IMPORTS_FILE. Used to prove `--help` never loads the heavy clients.
import {appendFileSync} from 'node:fs'
import {createRequire, register} from 'node:module'

const file = process.env.TRACE_IMPORTS_FILE
if (file) {
  register('./trace-imports-hooks.mjs', import.meta.url, {data: {file}})
  const require = createRequire(import.meta.url)
  process.on('exit', () => appendFileSync(file, Object.keys(require.cache).join('\n') + '\n'))
}
