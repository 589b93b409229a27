/**
 * App settings: a change records what differs from the current settings (the defaults at first), and
 * nothing else.
 */
import { assert, describe, it } from "@effect/vitest"
import { AppSettingsDecider } from "../src/app/AppSettingsDecider.ts"
import type { AppSettingsEvent } from "../src/app/AppSettingsEvent.ts"
import { accountId, appId, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const { given } = spec(AppSettingsDecider)
const changed = (
  at: number,
  fields: Partial<{
    recordingRetentionDays: number | null
    transcribeRecordings: boolean
    slateImageUrl: string | null
  }>
): AppSettingsEvent => ({ _tag: "AppSettingsChanged", accountId, appId, at: t(at), ...fields })

describe("AppSettingsDecider", () => {
  it("records a change from the defaults (kept for ever, not transcribed), and only the fields that differ", () => {
    const state = given()
      .when({
        _tag: "ChangeAppSettings",
        accountId,
        appId,
        at: t(1),
        recordingRetentionDays: 30,
        transcribeRecordings: false
      })
      .then(changed(1, { recordingRetentionDays: 30 }))
    assert.deepStrictEqual([state?.recordingRetentionDays, state?.transcribeRecordings], [30, false])
    given(changed(1, { recordingRetentionDays: 30 }))
      .when({ _tag: "ChangeAppSettings", accountId, appId, at: t(2), recordingRetentionDays: 30 })
      .then()
    const later = given(changed(1, { recordingRetentionDays: 30 }))
      .when({
        _tag: "ChangeAppSettings",
        accountId,
        appId,
        at: t(2),
        recordingRetentionDays: null,
        transcribeRecordings: true
      })
      .then(changed(2, { recordingRetentionDays: null, transcribeRecordings: true }))
    assert.deepStrictEqual([later?.recordingRetentionDays, later?.transcribeRecordings], [null, true])
  })

  it("sets an app's own slate image, and goes back to OnAir's own with null", () => {
    const url = "https://cdn.example.com/slate.png"
    const state = given()
      .when({ _tag: "ChangeAppSettings", accountId, appId, at: t(1), slateImageUrl: url })
      .then(changed(1, { slateImageUrl: url }))
    assert.strictEqual(state?.slateImageUrl, url)
    given(changed(1, { slateImageUrl: url }))
      .when({ _tag: "ChangeAppSettings", accountId, appId, at: t(2), slateImageUrl: url })
      .then()
    given(changed(1, { slateImageUrl: url }))
      .when({ _tag: "ChangeAppSettings", accountId, appId, at: t(2), slateImageUrl: null })
      .then(changed(2, { slateImageUrl: null }))
  })

  it("refuses a change older than the last one", () => {
    given(changed(5, { transcribeRecordings: true }))
      .when({ _tag: "ChangeAppSettings", accountId, appId, at: t(4), transcribeRecordings: false })
      .thenFails("CommandOutOfOrder")
  })
})
