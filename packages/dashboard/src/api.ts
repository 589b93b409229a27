/**
 * The dashboard's only way to OnAir: the public API through the typed client, with the operator's token.
 * The token lives in this browser tab's session storage (gone when the tab closes) and travels in the
 * Authorization header, never in a URL.
 */
import { createOnAirClient, type OnAirPromiseClient, Unauthorized } from "@onair/client"
import type { AccountId, AppId, LivestreamId, SessionId, WebhookEndpointId } from "@onair/core"

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

/** The app's base path (the event feed is read with fetch, as a stream). */
export const appPath = (session: Session) =>
  `/accounts/${encodeURIComponent(session.accountId)}/realtime/kit/${encodeURIComponent(session.appId)}`

type Client = OnAirPromiseClient

const clients = new Map<string, Client>()

/**
 * The typed client (`@onair/client`) for a token, on this page's origin: every request is encoded and every
 * answer decoded by the API's own schemas, and a refusal rejects with the envelope's typed error.
 */
export const clientOf = (token: string): Client => {
  const known = clients.get(token)
  if (known !== undefined) return known
  const client = createOnAirClient({ baseUrl: window.location.origin, token })
  clients.set(token, client)
  return client
}

/** The session's client. */
export const onair = (session: Session): Client => clientOf(session.token)

/** The path parameters every app endpoint takes (the IDs as the operator signed in with them). */
export const scope = (session: Session) => ({
  account_id: session.accountId as AccountId,
  app_id: session.appId as AppId
})

/** The path parameters of one livestream's endpoints. */
export const ofLivestream = (session: Session, id: string) => ({
  ...scope(session),
  livestream_id: id as LivestreamId
})

/** The path parameters of one session's endpoints (an id the API gave). */
export const ofSession = (session: Session, id: string) => ({ ...scope(session), session_id: id as SessionId })

/** The path parameters of one webhook endpoint's endpoints (an id the API gave). */
export const ofEndpoint = (session: Session, id: string) => ({
  ...scope(session),
  endpoint_id: id as WebhookEndpointId
})

/** What a refusal said (the envelope's messages), or what else went wrong. */
export const messageOf = (caught: unknown): string => {
  const errors = (caught as { readonly errors?: ReadonlyArray<{ readonly message?: string }> } | undefined)?.errors
  if (Array.isArray(errors) && errors.length > 0) return errors.map((error) => error.message).join("; ")
  return caught instanceof Error ? caught.message : String(caught)
}

/** Whether the API refused the token. */
export const isUnauthorized = (caught: unknown): boolean => caught instanceof Unauthorized

/** The `data` an endpoint answers, as the client decodes it. */
type DataOf<G extends keyof Client, E extends keyof Client[G]> = Client[G][E] extends (
  // biome-ignore lint/suspicious/noExplicitAny: any arguments: only the answer's type is taken
  ...args: any
) => Promise<infer A>
  ? A extends { readonly data: infer D }
    ? D
    : A
  : never

export type Livestream = DataOf<"livestreams", "getAllLivestreams">["livestreams"][number]
export type LivestreamDetail = DataOf<"livestreams", "getLivestreamSessionForLivestreamId">
export type SessionRecord = LivestreamDetail["sessions"][number]
export type Paging = LivestreamDetail["paging"]
export type Recording = DataOf<"recordings", "getLivestreamRecordings">["recordings"][number]
export type RestreamTarget = DataOf<"restreams", "getRestreams">["restreams"][number]
export type WebhookEndpoint = DataOf<"webhooks", "getWebhooks">[number]
export type WebhookAttempt = DataOf<"webhooks", "getWebhookAttempts">[number]
export type LiveEventStatus = DataOf<"livestreams", "getStatus">

/** A livestream's `disabled`: `"disabled"` or `""` in records (the seed's), a boolean on create. */
export const isDisabled = (livestream: Pick<Livestream, "disabled">): boolean => livestream.disabled === "disabled"
