/**
 * An app's settings for its recordings.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"

/** Days a recording is kept before retention deletes it; null: kept until its owner deletes it. */
export const RetentionDays = Schema.NullOr(
  Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 36_500 })))
)
export type RetentionDays = typeof RetentionDays.Type

/**
 * The still image (PNG or JPEG, at most 5 MB) its low-latency broadcasts show while their encoder is away;
 * null: OnAir's own. Fetched by the media node through the guarded outbound client.
 */
export const SlateImageUrl = Schema.NullOr(
  Schema.String.pipe(
    Schema.check(Schema.isMaxLength(2048)),
    Schema.check(Schema.isPattern(/^https?:\/\/[^\s]+$/, { message: "an http or https URL" }))
  )
)
export type SlateImageUrl = typeof SlateImageUrl.Type

/**
 * Where its meetings' composers find each meeting's page, with `{meeting_id}` and `{livestream_id}` filled
 * in (for example `https://meet.example.com/rooms/{meeting_id}?role=recorder`); null: a meeting is composed
 * only when its start names a `meeting_url`.
 */
export const MeetingUrlTemplate = Schema.NullOr(
  Schema.String.pipe(
    Schema.check(Schema.isMaxLength(2048)),
    Schema.check(Schema.isPattern(/^https?:\/\/[^\s]+$/, { message: "an http or https URL" }))
  )
)
export type MeetingUrlTemplate = typeof MeetingUrlTemplate.Type

/** A change of an app's settings: the app, when, and the fields that change (one left out is as it was). */
export const AppSettingsChange = {
  accountId: AccountId,
  appId: AppId,
  at: Timestamp,
  recordingRetentionDays: Schema.optionalKey(RetentionDays),
  transcribeRecordings: Schema.optionalKey(Schema.Boolean),
  slateImageUrl: Schema.optionalKey(SlateImageUrl),
  meetingUrlTemplate: Schema.optionalKey(MeetingUrlTemplate)
}
