// Confluent Schema Registry error codes, kept as data: clients branch on `error_code`.
export const RegistryErrors = {
  subjectNotFound: {status: 404, code: 40401, message: 'Subject not found.'},
  versionNotFound: {status: 404, code: 40402, message: 'Version not found.'},
  schemaNotFound: {status: 404, code: 40403, message: 'Schema not found.'},
  subjectConfigNotFound: {
    status: 404,
    code: 40408,
    message: 'Subject does not have subject-level compatibility configured.',
  },
  routeNotFound: {status: 404, code: 404, message: 'HTTP 404 Not Found'},
  incompatible: {status: 409, code: 409, message: 'Schema being registered is incompatible with an earlier schema.'},
  invalidSchema: {status: 422, code: 42201, message: 'Invalid schema.'},
  invalidVersion: {status: 422, code: 42202, message: 'The specified version is not a valid version id.'},
  invalidCompatibility: {status: 422, code: 42203, message: 'Invalid compatibility level.'},
  badRequest: {status: 400, code: 400, message: 'Bad request.'},
  storeError: {status: 500, code: 50001, message: 'Error in the backend data store.'},
} as const

export type RegistryErrorKind = keyof typeof RegistryErrors

export class RegistryError extends Error {
  readonly status: number
  readonly errorCode: number

  constructor(kind: RegistryErrorKind, detail?: string) {
    const spec = RegistryErrors[kind]
    super(detail ? `${spec.message} ${detail}` : spec.message)
    this.status = spec.status
    this.errorCode = spec.code
  }
}
