// What `npm run build` writes into dist/ beside the modules that read it (scripts/build/): work done
// once at build time instead of on every run. Run from src/ (tests, bin/dev.js) there is none, and
// its readers do that work at run time as before.
import {createRequire} from 'node:module'

/** `file` (CommonJS or JSON) beside the module at `moduleUrl`, as the build wrote it; undefined without a build. */
export function readBuildOutput<T>(moduleUrl: string, file: string): T | undefined {
  try {
    return createRequire(moduleUrl)(`./${file}`) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error
    return undefined
  }
}
