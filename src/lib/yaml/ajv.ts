// One way to get a JSON Schema validator, so every JSON Schema in streamctl (manifest structure,
// event schemas, profiles) is checked by the same engine with the same settings.
import type {Options} from 'ajv'
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)

export type Ajv = import('ajv').default

/** ajv is CommonJS; require keeps its default export intact under NodeNext and loads it lazily. */
export function newAjv(options: Options = {}): Ajv {
  const AjvClass = require('ajv') as typeof import('ajv').default
  return new AjvClass(options)
}
