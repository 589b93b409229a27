/**
 * An app's settings (OnAir's own resource): how many days its recordings are kept (null: until deleted)
 * whether they are transcribed once ready, and the slate its low-latency broadcasts show while their encoder
 * is away.
 */
import { MeetingUrlTemplate, RetentionDays, SlateImageUrl } from "@onair/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { BadRequest, Conflict, NotFound, Ok } from "./Envelope.ts"
import { BASE, ScopeParams } from "./Scope.ts"
import { Authorization } from "./Security.ts"

export const AppSettingsRecord = Schema.Struct({
  /** Days a recording is kept after it started; null: until its owner deletes it. */
  recording_retention_days: Schema.NullOr(Schema.Int),
  /** Whether each ready recording gets a transcript (`transcript.txt`, `.srt`, `.json`). */
  transcribe_recordings: Schema.Boolean,
  /** The image its low-latency broadcasts show while their encoder is away; null: OnAir's own. */
  slate_image_url: Schema.NullOr(Schema.String),
  /** Where its meetings' composers find each meeting's page; null: only a start's `meeting_url`. */
  meeting_url_template: Schema.NullOr(Schema.String),
  updated_at: Schema.String
})

export const AppSettingsBody = Schema.Struct({
  recording_retention_days: Schema.optional(RetentionDays),
  transcribe_recordings: Schema.optional(Schema.Boolean),
  slate_image_url: Schema.optional(SlateImageUrl),
  meeting_url_template: Schema.optional(MeetingUrlTemplate)
})

export class AppSettingsApi extends HttpApiGroup.make("appSettings")
  .add(
    HttpApiEndpoint.get("getAppSettings", `${BASE}/settings`, {
      params: ScopeParams,
      success: Ok(AppSettingsRecord),
      error: [BadRequest, NotFound]
    }),
    HttpApiEndpoint.patch("updateAppSettings", `${BASE}/settings`, {
      params: ScopeParams,
      payload: AppSettingsBody,
      success: Ok(AppSettingsRecord),
      error: [BadRequest, NotFound, Conflict]
    })
  )
  .middleware(Authorization)
  .annotateMerge(
    OpenApi.annotations({
      title: "App settings",
      description: "Recording retention (days) and transcripts, per app."
    })
  ) {}
