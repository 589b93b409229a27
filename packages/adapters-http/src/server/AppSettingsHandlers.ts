/**
 * An app's settings: read from the catalog, changed through the app settings' command path.
 */
import { AppSettingsCommands, awaitReadModel } from "@onair/application"
import { AppSettingsReads, CatalogReads } from "@onair/catalog"
import { type AppSettings, originMetadata, toIso } from "@onair/core"
import { Effect } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { conflict, OnAirApi } from "@onair/http-api"
import { authorize, now, settle } from "./Requests.ts"

const record = (settings: AppSettings) => ({
  recording_retention_days: settings.recordingRetentionDays,
  transcribe_recordings: settings.transcribeRecordings,
  slate_image_url: settings.slateImageUrl,
  meeting_url_template: settings.meetingUrlTemplate,
  updated_at: toIso(settings.updatedAt)
})

export const AppSettingsHandlers = HttpApiBuilder.group(
  OnAirApi,
  "appSettings",
  Effect.fn(function* (handlers) {
    const catalog = yield* CatalogReads
    const reads = yield* AppSettingsReads
    const commands = yield* AppSettingsCommands
    return handlers
      .handle("getAppSettings", ({ params }) =>
        Effect.gen(function* () {
          const { scope } = yield* authorize(params)
          return { success: true as const, data: record(yield* reads.settings(scope, yield* now)) }
        })
      )
      .handle("updateAppSettings", ({ params, payload }) =>
        Effect.gen(function* () {
          const { token, scope } = yield* authorize(params)
          const at = yield* now
          const decided = yield* commands
            .handle(
              {
                _tag: "ChangeAppSettings",
                accountId: scope.accountId,
                appId: scope.appId,
                at,
                ...(payload.recording_retention_days === undefined
                  ? {}
                  : { recordingRetentionDays: payload.recording_retention_days }),
                ...(payload.transcribe_recordings === undefined
                  ? {}
                  : { transcribeRecordings: payload.transcribe_recordings }),
                ...(payload.slate_image_url === undefined ? {} : { slateImageUrl: payload.slate_image_url }),
                ...(payload.meeting_url_template === undefined
                  ? {}
                  : { meetingUrlTemplate: payload.meeting_url_template })
              },
              originMetadata(
                `appSettings:${scope.accountId}.${scope.appId}:${crypto.randomUUID()}`,
                `token:${token.id}`,
                at
              )
            )
            .pipe(
              awaitReadModel(catalog),
              Effect.catchTag("CommandOutOfOrder", () =>
                Effect.fail(conflict("out_of_order", "the app's settings changed after this request's time; try again"))
              ),
              settle
            )
          return { success: true as const, data: record(decided.state ?? (yield* reads.settings(scope, at))) }
        })
      )
  })
)
