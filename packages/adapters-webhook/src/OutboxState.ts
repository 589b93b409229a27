/**
 * What the outbox knows while it turns one batch into messages: the values it loaded from its table (as of
 * the batch's start) and the ones the batch wrote. A key it was not given is a miss: the reader answers
 * "absent" for now and the outbox loads the missed keys and applies the batch again from the start, so the
 * messages never depend on what happened to be loaded.
 *
 * Keys: `livestream:<id>`, `session:<id>`, `ingest:<id>`, `meeting:<id>`, `recording:<id>`, `restreamTarget:<id>`, `endpoint:<id>`,
 * `hls:<session>`,
 * `joined:<meeting>/<participant>`, `seq:<subject>`; `app:<account>/<app>` misses ask for an app's endpoints.
 */
export interface Loaded {
  /** Loaded keys; null: known to be absent. */
  readonly values: ReadonlyMap<string, unknown>
  /** The endpoint ids of each loaded app (`<account>/<app>`). */
  readonly appEndpoints: ReadonlyMap<string, ReadonlyArray<string>>
}

export const appKey = (accountId: string, appId: string) => `${accountId}/${appId}`

export class OutboxState {
  readonly written = new Map<string, unknown>()
  readonly missed = new Set<string>()
  /** Endpoints written by the batch, by app. */
  private readonly writtenEndpoints = new Map<string, Set<string>>()

  private readonly loaded: Loaded

  constructor(loaded: Loaded) {
    this.loaded = loaded
  }

  read<A>(key: string): A | undefined {
    if (this.written.has(key)) return (this.written.get(key) ?? undefined) as A | undefined
    if (this.loaded.values.has(key)) return (this.loaded.values.get(key) ?? undefined) as A | undefined
    this.missed.add(key)
    return undefined
  }

  write(key: string, value: unknown): void {
    this.written.set(key, value)
  }

  /** Records an endpoint written by the batch under its app. */
  wroteEndpoint(id: string, app: string): void {
    const ids = this.writtenEndpoints.get(app) ?? new Set<string>()
    ids.add(id)
    this.writtenEndpoints.set(app, ids)
  }

  /** The ids of the app's endpoints, those the batch made included. */
  endpointIdsOf(app: string): ReadonlyArray<string> {
    const stored = this.loaded.appEndpoints.get(app)
    if (stored === undefined) this.missed.add(`app:${app}`)
    return [...new Set([...(stored ?? []), ...(this.writtenEndpoints.get(app) ?? [])])]
  }
}
