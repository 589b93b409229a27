/**
 * Aggregate states as the catalog's rows hold them (jsonb, or its text from drivers that hand it back as
 * text): decoded with the core's schemas; a livestream's stream key sealed under the deployment key, bound
 * to the livestream's stream and field as in the log, with its keyed hash for lookups; a webhook endpoint's
 * signing secrets sealed the same way.
 */
import {
  App,
  AppSettings,
  AccessToken,
  Ingest,
  Livestream,
  MediaNode,
  Meeting,
  Recording,
  RestreamTarget,
  restreamTargetStream,
  Session,
  WebhookEndpoint,
  webhookEndpointStream
} from "@onair/core"
import { DomainEvents, fieldContext, type Keyring } from "@onair/event-store"
import { Schema } from "effect"

/** A jsonb column as the driver hands it back: parsed already, or its text. */
export const parsed = (column: unknown): unknown => (typeof column === "string" ? JSON.parse(column) : column)

const decodeLivestreamSync = Schema.decodeUnknownSync(Livestream)
const encodeLivestream = Schema.encodeSync(Livestream)
const decodeSessionSync = Schema.decodeUnknownSync(Session)
const decodeIngestSync = Schema.decodeUnknownSync(Ingest)
const decodeMeetingSync = Schema.decodeUnknownSync(Meeting)
const decodeAccessTokenSync = Schema.decodeUnknownSync(AccessToken)
const decodeMediaNodeSync = Schema.decodeUnknownSync(MediaNode)
const decodeRecordingSync = Schema.decodeUnknownSync(Recording)
const decodeAppSettingsSync = Schema.decodeUnknownSync(AppSettings)
const decodeAppSync = Schema.decodeUnknownSync(App)
const decodeEndpointSync = Schema.decodeUnknownSync(WebhookEndpoint)
const encodeEndpoint = Schema.encodeSync(WebhookEndpoint)
const decodeRestreamSync = Schema.decodeUnknownSync(RestreamTarget)
const encodeRestream = Schema.encodeSync(RestreamTarget)

/** The purpose of the keyed hash a livestream row is looked up by its key with. */
export const STREAM_KEY_DIGEST = "stream key"

/**
 * A livestream's row state, with its stream key sealed as the log seals it (secrets are never at rest in
 * clear, read models included); the row's `stream_key` column holds the key's keyed hash.
 */
export const livestreamStates = (keyring: Keyring) => {
  const context = (id: string) => fieldContext(DomainEvents.streamName("livestream", id), "streamKey")
  const previousContext = (id: string) =>
    fieldContext(DomainEvents.streamName("livestream", id), "previousKey.streamKey")
  /** The key a rotation left publishing, sealed as the current one is (bound to its own field). */
  const sealPrevious = (state: Livestream) =>
    state.previousKey === null
      ? null
      : { ...state.previousKey, streamKey: keyring.encrypt(state.previousKey.streamKey, previousContext(state.id)) }
  const encode = (state: Livestream): unknown => ({
    ...encodeLivestream(state),
    streamKey: keyring.encrypt(state.streamKey, context(state.id)),
    previousKey: sealPrevious(state)
  })
  const open = (stored: unknown) => {
    const row = parsed(stored) as {
      readonly id?: unknown
      readonly streamKey?: unknown
      readonly previousKey?: { readonly streamKey?: unknown; readonly expiresAt?: unknown } | null
    }
    const key = keyring.decrypt(String(row.streamKey), context(String(row.id)))
    if (typeof key !== "string") throw new Error(`livestream ${String(row.id)} in the catalog: ${key.error}`)
    const previous =
      row.previousKey === undefined || row.previousKey === null
        ? null
        : keyring.decrypt(String(row.previousKey.streamKey), previousContext(String(row.id)))
    if (previous !== null && typeof previous !== "string")
      throw new Error(`livestream ${String(row.id)} in the catalog: ${previous.error}`)
    const previousKey = previous === null ? null : { ...row.previousKey, streamKey: previous }
    return {
      state: decodeLivestreamSync({ ...row, streamKey: key, previousKey }),
      sealed: String(row.streamKey),
      sealedPrevious: row.previousKey ?? null
    }
  }
  return {
    encode,
    decode: (stored: unknown): Livestream => open(stored).state,
    /**
     * The same, for one batch of the projection: a state written back with the key it was read with keeps
     * its sealed form instead of being sealed again (a batch writes back every livestream it touches).
     * Holds the batch's livestreams only: make one per batch.
     */
    forBatch: () => {
      const opened = new Map<
        string,
        {
          readonly key: string
          readonly sealed: string
          readonly previous: string | null
          readonly sealedPrevious: unknown
        }
      >()
      return {
        encode: (state: Livestream): unknown => {
          const known = opened.get(state.id)
          return known?.key === state.streamKey && known.previous === (state.previousKey?.streamKey ?? null)
            ? { ...encodeLivestream(state), streamKey: known.sealed, previousKey: known.sealedPrevious }
            : encode(state)
        },
        decode: (stored: unknown): Livestream => {
          const { state, sealed, sealedPrevious } = open(stored)
          opened.set(state.id, {
            key: state.streamKey,
            sealed,
            previous: state.previousKey?.streamKey ?? null,
            sealedPrevious
          })
          return state
        }
      }
    },
    digest: (key: string) => keyring.digest(STREAM_KEY_DIGEST, key)
  }
}

export const decodeSession = (state: unknown): Session => decodeSessionSync(parsed(state))
export const decodeIngest = (state: unknown): Ingest => decodeIngestSync(parsed(state))
export const decodeMeeting = (state: unknown): Meeting => decodeMeetingSync(parsed(state))
export const decodeAccessToken = (state: unknown): AccessToken => decodeAccessTokenSync(parsed(state))
export const decodeMediaNode = (state: unknown): MediaNode => decodeMediaNodeSync(parsed(state))
export const decodeRecording = (state: unknown): Recording => decodeRecordingSync(parsed(state))
export const decodeAppSettings = (state: unknown): AppSettings => decodeAppSettingsSync(parsed(state))
export const decodeApp = (state: unknown): App => decodeAppSync(parsed(state))

/** A restream target's row state, its stream key sealed as the log seals it (bound to its stream). */
export const restreamStates = (keyring: Keyring) => {
  const context = (id: string) => fieldContext(restreamTargetStream(id), "streamKey")
  return {
    encode: (state: RestreamTarget): unknown => ({
      ...encodeRestream(state),
      streamKey: keyring.encrypt(state.streamKey, context(state.id))
    }),
    decode: (stored: unknown): RestreamTarget => {
      const row = parsed(stored) as { readonly id?: unknown; readonly streamKey?: unknown }
      const streamKey = keyring.decrypt(String(row.streamKey), context(String(row.id)))
      if (typeof streamKey !== "string")
        throw new Error(`restream target ${String(row.id)} in the catalog: ${streamKey.error}`)
      return decodeRestreamSync({ ...row, streamKey })
    }
  }
}

/** A webhook endpoint's row state, each signing secret sealed as the log seals it. */
export const endpointStates = (keyring: Keyring) => {
  // Bound to the endpoint's stream, as the log binds them.
  const context = (id: string) => fieldContext(webhookEndpointStream(id), "secret")
  return {
    encode: (state: WebhookEndpoint): unknown => {
      const encoded = encodeEndpoint(state)
      return {
        ...encoded,
        secrets: encoded.secrets.map((entry) => ({
          ...entry,
          secret: keyring.encrypt(entry.secret, context(state.id))
        }))
      }
    },
    decode: (stored: unknown): WebhookEndpoint => {
      const row = parsed(stored) as {
        readonly id?: unknown
        readonly secrets?: ReadonlyArray<{ readonly secret?: unknown }>
      }
      const secrets = (row.secrets ?? []).map((entry) => {
        const secret = keyring.decrypt(String(entry.secret), context(String(row.id)))
        if (typeof secret !== "string")
          throw new Error(`webhook endpoint ${String(row.id)} in the catalog: ${secret.error}`)
        return { ...entry, secret }
      })
      return decodeEndpointSync({ ...row, secrets })
    }
  }
}
