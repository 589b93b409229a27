/**
 * The tables of the stand-alone aggregates (API tokens, restream targets, webhook endpoints, media nodes,
 * app settings, apps, recordings), keyed by their streams' category: how each event decodes, which
 * aggregate it is of, and the table it folds into.
 */
import {
  ACCESS_TOKEN_CATEGORY,
  AccessToken,
  AccessTokenDecider,
  AccessTokenEvent,
  App,
  APP_CATEGORY,
  APP_SETTINGS_CATEGORY,
  AppDecider,
  AppEvent,
  AppSettings,
  AppSettingsDecider,
  AppSettingsEvent,
  MEDIA_NODE_CATEGORY,
  MediaNode,
  MediaNodeDecider,
  MediaNodeEvent,
  mediaNodeStatus,
  RECORDING_CATEGORY,
  Recording,
  RecordingDecider,
  RecordingEvent,
  RESTREAM_TARGET_CATEGORY,
  RestreamDecider,
  RestreamEvent,
  type RestreamTarget,
  WEBHOOK_ENDPOINT_CATEGORY,
  type WebhookEndpoint,
  WebhookEndpointDecider,
  WebhookEndpointEvent
} from "@onair/core"
import type { Keyring } from "@onair/event-store"
import { Result, Schema } from "effect"
import { type AggregateTable, iso } from "./AggregateTable.ts"
import {
  decodeAccessToken,
  decodeApp,
  decodeAppSettings,
  decodeMediaNode,
  decodeRecording,
  endpointStates,
  restreamStates
} from "./CatalogStates.ts"

/** The streams of the access aggregates, by category: how each event decodes and which id it is of. */
export interface AccessCategory {
  readonly decode: (data: unknown) => Result.Result<{ readonly id: string; readonly event: unknown }, string>
  // biome-ignore lint/suspicious/noExplicitAny: a table of every aggregate's kind: TypeScript has no existential type, and each entry is typed where it is made
  readonly table: AggregateTable<any>
}

const decodeTokenEvent = Schema.decodeUnknownResult(AccessTokenEvent)
const decodeEndpointEvent = Schema.decodeUnknownResult(WebhookEndpointEvent)
const decodeMediaNodeEvent = Schema.decodeUnknownResult(MediaNodeEvent)
const decodeRecordingEvent = Schema.decodeUnknownResult(RecordingEvent)
const decodeAppSettingsEvent = Schema.decodeUnknownResult(AppSettingsEvent)
const decodeAppEvent = Schema.decodeUnknownResult(AppEvent)
const decodeRestreamEvent = Schema.decodeUnknownResult(RestreamEvent)

export const accessCategories = (keyring: Keyring): Readonly<Record<string, AccessCategory>> => {
  const endpoints = endpointStates(keyring)
  const restreams = restreamStates(keyring)
  return {
    [ACCESS_TOKEN_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeTokenEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.tokenId, event })
        }),
      table: {
        table: "onair_access_tokens",
        evolve: AccessTokenDecider.evolve,
        decode: decodeAccessToken,
        encode: Schema.encodeSync(AccessToken),
        ordinal: false,
        columns: { account_id: "text", revoked: "boolean" },
        row: (state: AccessToken) => ({ account_id: state.accountId, revoked: state.revokedAt !== null })
      }
    },
    [RESTREAM_TARGET_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeRestreamEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.targetId, event })
        }),
      table: {
        table: "onair_restream_targets",
        evolve: RestreamDecider.evolve,
        decode: restreams.decode,
        encode: restreams.encode,
        ordinal: true,
        columns: {
          livestream_id: "text",
          account_id: "text",
          app_id: "text",
          relay: "text",
          session_id: "text",
          deleted: "boolean"
        },
        row: (state: RestreamTarget) => ({
          livestream_id: state.livestreamId,
          account_id: state.accountId,
          app_id: state.appId,
          relay: state.relay._tag,
          session_id: "sessionId" in state.relay ? state.relay.sessionId : null,
          deleted: state.deleted
        })
      }
    },
    [WEBHOOK_ENDPOINT_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeEndpointEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.endpointId, event })
        }),
      table: {
        table: "onair_webhook_endpoints",
        evolve: WebhookEndpointDecider.evolve,
        decode: endpoints.decode,
        encode: endpoints.encode,
        ordinal: true,
        columns: { account_id: "text", app_id: "text", deleted: "boolean" },
        row: (state: WebhookEndpoint) => ({ account_id: state.accountId, app_id: state.appId, deleted: state.deleted })
      }
    },
    [MEDIA_NODE_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeMediaNodeEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.nodeId, event })
        }),
      table: {
        table: "onair_media_nodes",
        evolve: MediaNodeDecider.evolve,
        decode: decodeMediaNode,
        encode: Schema.encodeSync(MediaNode),
        ordinal: false,
        columns: { status: "text" },
        row: (state: MediaNode) => ({ status: mediaNodeStatus(state) })
      }
    },
    [APP_SETTINGS_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeAppSettingsEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: `${event.accountId}.${event.appId}`, event })
        }),
      table: {
        table: "onair_app_settings",
        evolve: AppSettingsDecider.evolve,
        decode: decodeAppSettings,
        encode: Schema.encodeSync(AppSettings),
        ordinal: false,
        columns: { account_id: "text", app_id: "text", retention_days: "integer" },
        row: (state: AppSettings) => ({
          account_id: state.accountId,
          app_id: state.appId,
          retention_days: state.recordingRetentionDays
        })
      }
    },
    [APP_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeAppEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: `${event.accountId}.${event.appId}`, event })
        }),
      table: {
        table: "onair_apps",
        evolve: AppDecider.evolve,
        decode: decodeApp,
        encode: Schema.encodeSync(App),
        ordinal: true,
        columns: { account_id: "text", app_id: "text", name: "text", created_at: "timestamptz" },
        row: (state: App) => ({
          account_id: state.accountId,
          app_id: state.id,
          name: state.name,
          created_at: iso(state.createdAt)
        })
      }
    },
    [RECORDING_CATEGORY]: {
      decode: (data) =>
        Result.mapBoth(decodeRecordingEvent(data), {
          onFailure: String,
          onSuccess: (event) => ({ id: event.recordingId, event })
        }),
      table: {
        table: "onair_recordings",
        evolve: RecordingDecider.evolve,
        decode: decodeRecording,
        encode: Schema.encodeSync(Recording),
        ordinal: true,
        columns: {
          livestream_id: "text",
          account_id: "text",
          app_id: "text",
          node_id: "text",
          phase: "text",
          deleted: "boolean",
          started_at: "timestamptz",
          duration_seconds: "double precision",
          stored: "text"
        },
        row: (state: Recording) => ({
          livestream_id: state.livestreamId,
          account_id: state.accountId,
          app_id: state.appId,
          node_id: state.nodeId,
          phase: state.phase._tag,
          deleted: state.deletedAt !== null,
          started_at: iso(state.startedAt),
          duration_seconds: state.phase._tag === "Ready" ? state.phase.assets.durationSeconds : null,
          stored: state.phase._tag === "Ready" ? (state.phase.storage._tag === "S3" ? "s3" : "local") : null
        })
      }
    }
  }
}
