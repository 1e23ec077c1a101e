// The one error type of streamctl. Every failure a user can see is a StreamctlError with a stable
// code; the code alone decides the process exit code (see exitCodeFor), in exactly one place.

/** Process exit codes, as documented in the README and PRODUCT.md §2. */
export const ExitCode = {
  ok: 0,
  error: 1,
  usage: 2,
  notReady: 3,
  slaFailed: 99,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

type ExitClass = keyof typeof ExitCode

/**
 * Every stable error code and the exit class it maps to. Codes are part of the `--json` contract:
 * add new ones, never rename or reuse one.
 */
const ERROR_CODES = {
  // usage: the user can fix it by changing the command line or an input file
  USAGE: 'usage',
  UNKNOWN_COMMAND: 'usage',
  UNKNOWN_FLAG: 'usage',
  INVALID_FLAG: 'usage',
  MISSING_ARGUMENT: 'usage',
  UNEXPECTED_ARGUMENT: 'usage',
  FILE_NOT_FOUND: 'usage',
  MANIFEST_INVALID: 'usage',
  STACK_NOT_FOUND: 'usage',
  PROFILE_INVALID: 'usage',
  PROFILE_NOT_FOUND: 'usage',
  SLA_FILE_INVALID: 'usage',
  RUN_RECORD_INVALID: 'usage',
  SHARDS_INCOMPLETE: 'usage',
  COMPARE_NOT_LIKE_FOR_LIKE: 'usage',
  QUOTA_READ_FAILED: 'error',
  // the stack is not there or not healthy
  STACK_NOT_READY: 'notReady',
  COMPONENT_UNHEALTHY: 'notReady',
  STACK_BUSY: 'error',
  PORT_UNAVAILABLE: 'error',
  STACK_DRIVER_MISMATCH: 'usage',
  STACK_STATE_CORRUPT: 'error',
  // fault injection (timeline kill/pause/resume/restart, bench --chaos)
  COMPONENT_NOT_CONTROLLABLE: 'usage',
  // provisioning
  MIGRATION_CHANGED: 'error',
  MIGRATION_FAILED: 'error',
  SERVICE_CONFIG_INVALID: 'usage',
  UNKNOWN_SERVICE: 'usage',
  PROVISION_CONFLICT: 'error',
  SCHEMA_REGISTRY_FAILED: 'error',
  QUEUE_DECLARE_FAILED: 'error',
  // Kafka admin (topics, groups)
  KAFKA_UNAVAILABLE: 'notReady',
  KAFKA_REQUEST_FAILED: 'error',
  TOPIC_NOT_FOUND: 'error',
  TOPIC_EXISTS: 'error',
  GROUP_NOT_FOUND: 'error',
  GROUP_ACTIVE: 'error',
  // the embedded broker cannot use its data directory
  BROKER_DATA_INVALID: 'error',
  // replay
  RECORDING_INVALID: 'usage',
  REPLAY_BUSY: 'error',
  REPLAY_VERIFY_FAILED: 'error',
  REPLAY_TARGET_FAILED: 'error',
  REPLAY_PAST_RETENTION: 'usage',
  REPLAY_RECORDS_DELETED: 'error',
  REPLAY_INTERRUPTED: 'error',
  // bench: the admin API refused the token, or a variant's switches could not be set
  ADMIN_UNAUTHORIZED: 'error',
  ADMIN_ACTION_FAILED: 'error',
  // the run finished, and its SLA targets failed
  SLA_FAILED: 'slaFailed',
  // Kubernetes through kubectl: it is missing; kustomize failed; an object is invalid; no context
  // (no cluster to use); a kubectl call failed
  KUBECTL_NOT_FOUND: 'error',
  K8S_RENDER_FAILED: 'error',
  K8S_MANIFEST_INVALID: 'usage',
  K8S_UNAVAILABLE: 'notReady',
  K8S_REQUEST_FAILED: 'error',
  // everything else
  DOCTOR_FAILED: 'error',
  COMMAND_FAILED: 'error',
  INTERNAL: 'error',
} as const satisfies Record<string, ExitClass>

export type ErrorCode = keyof typeof ERROR_CODES

export interface StreamctlErrorOptions {
  /** What the user should do next. Shown under the message. */
  hint?: string
  cause?: unknown
  /** Structured detail for `--json` consumers, such as a list of manifest problems. */
  details?: unknown
}

export class StreamctlError extends Error {
  override readonly name = 'StreamctlError'
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly details: unknown

  constructor(code: ErrorCode, message: string, options: StreamctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.code = code
    this.hint = options.hint
    this.details = options.details
  }

  get exitCode(): ExitCode {
    return exitCodeFor(this.code)
  }
}

export function exitCodeFor(code: ErrorCode): ExitCode {
  return ExitCode[ERROR_CODES[code]]
}

export function isStreamctlError(value: unknown): value is StreamctlError {
  return value instanceof StreamctlError
}

/** The `--json` shape of an error: stable across versions. */
export interface ErrorJson {
  error: {
    code: ErrorCode
    message: string
    hint?: string
    exitCode: ExitCode
    details?: unknown
  }
}

export function errorToJson(error: StreamctlError): ErrorJson {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : {hint: error.hint}),
      exitCode: error.exitCode,
      ...(error.details === undefined ? {} : {details: error.details}),
    },
  }
}
