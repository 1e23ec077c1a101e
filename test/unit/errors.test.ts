import {describe, expect, it} from 'vitest'
import {errorToJson, ExitCode, exitCodeFor, StreamctlError} from '../../src/lib/errors.js'

describe('StreamctlError', () => {
  it('maps codes to the exit codes of PRODUCT.md', () => {
    expect(exitCodeFor('UNKNOWN_FLAG')).toBe(2)
    expect(exitCodeFor('MANIFEST_INVALID')).toBe(2)
    expect(exitCodeFor('STACK_NOT_READY')).toBe(3)
    expect(exitCodeFor('SLA_FAILED')).toBe(99)
    expect(exitCodeFor('INTERNAL')).toBe(1)
    expect(ExitCode).toEqual({ok: 0, error: 1, usage: 2, notReady: 3, slaFailed: 99})
  })

  it('carries a hint, a cause and details into the --json shape', () => {
    const cause = new Error('ECONNREFUSED')
    const error = new StreamctlError('STACK_NOT_READY', 'gateway is not healthy', {
      hint: 'Run streamctl up.',
      cause,
      details: {component: 'gateway'},
    })
    expect(error.cause).toBe(cause)
    expect(error.exitCode).toBe(3)
    expect(errorToJson(error)).toEqual({
      error: {
        code: 'STACK_NOT_READY',
        message: 'gateway is not healthy',
        hint: 'Run streamctl up.',
        exitCode: 3,
        details: {component: 'gateway'},
      },
    })
  })

  it('omits absent optional fields from JSON', () => {
    expect(errorToJson(new StreamctlError('INTERNAL', 'boom'))).toEqual({
      error: {code: 'INTERNAL', message: 'boom', exitCode: 1},
    })
  })
})
