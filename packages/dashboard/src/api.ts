/**
 * The dashboard's only way to OnAir: the public API, with the operator's token. The token lives in this
 * browser tab's session storage (gone when the tab closes) and travels in the Authorization header,
 * never in a URL.
 */

export interface Session {
  readonly accountId: string
  readonly appId: string
  readonly token: string
}

const STORAGE_KEY = "onair.session"

export const loadSession = (): Session | undefined => {
  const saved = sessionStorage.getItem(STORAGE_KEY)
  if (saved === null) return undefined
  try {
    const parsed = JSON.parse(saved) as Partial<Session>
    return typeof parsed.accountId === "string" && typeof parsed.appId === "string" && typeof parsed.token === "string"
      ? { accountId: parsed.accountId, appId: parsed.appId, token: parsed.token }
      : undefined
  } catch {
    return undefined
  }
}

export const saveSession = (session: Session | undefined): void => {
  if (session === undefined) sessionStorage.removeItem(STORAGE_KEY)
  else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session))
}

/** A refusal in the API's envelope: its status and what it said. */
export class ApiError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const enc = encodeURIComponent

/** The app's base path. */
export const appPath = (session: Session) => `/accounts/${enc(session.accountId)}/realtime/kit/${enc(session.appId)}`

/** A request to `path` (absolute) with the token; the envelope's `data`, or the whole body when it has none. */
export const call = async <A = any>(token: string, method: string, path: string, body?: unknown): Promise<A> => {
  const response = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  let parsed: any
  try {
    parsed = text === "" ? undefined : JSON.parse(text)
  } catch {
    parsed = undefined
  }
  if (!response.ok) {
    const errors: ReadonlyArray<{ message?: string }> = parsed?.errors ?? (parsed?.error ? [parsed.error] : [])
    const message = errors
      .map((error) => error.message)
      .filter(Boolean)
      .join("; ")
    throw new ApiError(response.status, message || `${response.status} ${response.statusText}`)
  }
  return (parsed?.data ?? parsed) as A
}

/** A request to the app's API (`path` after the app's base). */
export const api = <A = any>(session: Session, method: string, path: string, body?: unknown): Promise<A> =>
  call<A>(session.token, method, `${appPath(session)}${path}`, body)

export const query = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== "") search.set(name, String(value))
  const text = search.toString()
  return text === "" ? "" : `?${text}`
}

export interface Livestream {
  readonly id: string
  readonly name: string | null
  readonly status: "LIVE" | "IDLE" | "ERRORED" | "INVOKED" | "OFFLINE"
  readonly disabled: string | boolean
  readonly ingest_server: string
  readonly stream_key: string
  readonly playback_url: string
  readonly created_at?: string
  readonly updated_at?: string
}

export interface SessionRecord {
  readonly id: string
  readonly invoked_time: string
  readonly started_time: string | null
  readonly stopped_time: string | null
  readonly ingest_seconds: number
  readonly viewer_seconds: number
  readonly err_message: string | null
}

export interface Paging {
  readonly total_count: number
  readonly start_offset: number
  readonly end_offset: number
}

/** A livestream's `disabled`: `"disabled"` or `""` in records (the seed's), a boolean on create. */
export const isDisabled = (livestream: Livestream): boolean =>
  livestream.disabled === true || livestream.disabled === "disabled"
