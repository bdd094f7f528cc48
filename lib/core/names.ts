// One spelling for names that providers spell many ways, and the canonical (gRPC / Google) status vocabulary.

/**
 * `NotFound`, `NOT_FOUND`, `not-found`, `NotFoundException`, `NotFoundError` and `not_found` are one name: `not_found`.
 * CamelCase is split, separators become `_`, and one trailing `Error` / `Exception` is dropped.
 */
export function normaliseName (name: string): string {
  if (name.length > 200) return name
  const known = normalised.get(name)
  if (known !== undefined) return known
  const result = spell(name)
  remember(normalised, name, result)
  return result
}

// Providers send the same few names again and again: each is worked out once. The caches are bounded, so names
// from hostile bodies cannot grow them without end.
const CACHE_LIMIT = 2048
const normalised = new Map<string, string>()
const canonical = new Map<string, string | null>()

function remember<V> (cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(key, value)
}

function spell (name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  const bare = snake.replace(/_(?:error|exception)$/, '')
  return bare === '' ? snake : bare
}

/** The canonical status names (google.rpc.Code) and the HTTP status Google's own APIs send for each. */
export const CANONICAL_STATUS: ReadonlyMap<string, number> = new Map([
  ['CANCELLED', 499],
  ['UNKNOWN', 500],
  ['INVALID_ARGUMENT', 400],
  ['DEADLINE_EXCEEDED', 504],
  ['NOT_FOUND', 404],
  ['ALREADY_EXISTS', 409],
  ['PERMISSION_DENIED', 403],
  ['RESOURCE_EXHAUSTED', 429],
  ['FAILED_PRECONDITION', 400],
  ['ABORTED', 409],
  ['OUT_OF_RANGE', 400],
  ['UNIMPLEMENTED', 501],
  ['INTERNAL', 500],
  ['UNAVAILABLE', 503],
  ['DATA_LOSS', 500],
  ['UNAUTHENTICATED', 401]
])

// gRPC's numeric codes, in order (0 is OK, never an error).
const GRPC_NUMBERS = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL',
  'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED']

// The standard descriptions of the codes (grpc/grpc doc/statuscodes.md, google/rpc/code.proto), which some servers
// put in `code` instead of the name: the start of each is enough to know it.
const DESCRIPTIONS: ReadonlyArray<[string, string]> = [
  ['the operation was cancelled', 'CANCELLED'],
  ['unknown error', 'UNKNOWN'],
  ['the client specified an invalid argument', 'INVALID_ARGUMENT'],
  ['the deadline expired before the operation could complete', 'DEADLINE_EXCEEDED'],
  ['some requested entity', 'NOT_FOUND'],
  ['the entity that a client attempted to create', 'ALREADY_EXISTS'],
  ['the caller does not have permission', 'PERMISSION_DENIED'],
  ['some resource has been exhausted', 'RESOURCE_EXHAUSTED'],
  ['the operation was rejected because the system is not in a state', 'FAILED_PRECONDITION'],
  ['the operation was aborted', 'ABORTED'],
  ['the operation was attempted past the valid range', 'OUT_OF_RANGE'],
  ['the operation is not implemented', 'UNIMPLEMENTED'],
  ['internal errors', 'INTERNAL'],
  ['the service is currently unavailable', 'UNAVAILABLE'],
  ['unrecoverable data loss or corruption', 'DATA_LOSS'],
  ['the request does not have valid authentication credentials', 'UNAUTHENTICATED']
]

const BY_NORMAL_NAME: ReadonlyMap<string, string> = new Map([...CANONICAL_STATUS.keys()].map((name) => [normaliseName(name), name]))

/** The canonical status name a text stands for (`NOT_FOUND`, `permission-denied`, or its standard description), or undefined. */
export function canonicalName (value: string): string | undefined {
  if (value.length > 300) return undefined
  const known = canonical.get(value)
  if (known !== undefined) return known ?? undefined
  const result = describedName(value)
  remember(canonical, value, result ?? null)
  return result
}

function describedName (value: string): string | undefined {
  const name = BY_NORMAL_NAME.get(normaliseName(value))
  if (name !== undefined) return name
  const lower = value.toLowerCase()
  for (const [start, described] of DESCRIPTIONS) {
    if (lower.startsWith(start)) return described
  }
  return undefined
}

/** The canonical name of a gRPC numeric code (1-16), or undefined. */
export function grpcName (code: unknown): string | undefined {
  return typeof code === 'number' && Number.isInteger(code) && code > 0 && code < GRPC_NUMBERS.length ? GRPC_NUMBERS[code] : undefined
}
