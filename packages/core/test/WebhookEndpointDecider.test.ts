/**
 * Webhook endpoints: created once, changed, secrets rotated with an overlap, turned off by a 410 and on
 * again by their owner, deleted once; which event types a filter takes.
 */
import { assert, describe, it } from "@effect/vitest"
import { WebhookEndpointDecider } from "../src/webhook/WebhookEndpointDecider.ts"
import { isReceiving, signingSecrets } from "../src/webhook/WebhookEndpointState.ts"
import { Schema } from "effect"
import { WebhookEndpointEvent } from "../src/webhook/WebhookEndpointEvent.ts"
import {
  deliveredType,
  EventTypeFilter,
  matchesEventType,
  SigningSecret,
  WebhookEndpointId
} from "../src/webhook/WebhookValues.ts"
import { accountId, appId, t } from "./Fixtures.ts"
import { spec } from "./Spec.ts"

const endpointId = WebhookEndpointId.make("wh_abcdefghijklmnopqrstuvwx")
const secret1 = SigningSecret.make(`whsec_${"A".repeat(43)}=`)
const secret2 = SigningSecret.make(`whsec_${"B".repeat(43)}=`)
const created = {
  _tag: "WebhookEndpointCreated" as const,
  endpointId,
  at: t(0),
  accountId,
  appId,
  url: "https://hooks.example.com/onair",
  name: "ingest hooks",
  enabled: true,
  eventTypes: ["ingest.*"],
  secret: secret1
}
const { given } = spec(WebhookEndpointDecider)

describe("WebhookEndpointDecider", () => {
  it("creates an endpoint once", () => {
    const state = given()
      .when({ ...created, _tag: "CreateWebhookEndpoint" })
      .then(created)
    assert.isTrue(state !== null && isReceiving(state))
    given(created)
      .when({ ...created, _tag: "CreateWebhookEndpoint" })
      .thenFails("WebhookEndpointAlreadyExists", { endpointId })
  })

  it("changes what is given and keeps the rest", () => {
    const state = given(created)
      .when({
        _tag: "UpdateWebhookEndpoint",
        endpointId,
        at: t(1),
        url: null,
        name: null,
        enabled: null,
        eventTypes: ["*"]
      })
      .then({
        _tag: "WebhookEndpointUpdated",
        endpointId,
        at: t(1),
        url: created.url,
        name: created.name,
        enabled: true,
        eventTypes: ["*"]
      })
    assert.deepStrictEqual(state?.eventTypes, ["*"])
    const renamed = given(created)
      .when({
        _tag: "UpdateWebhookEndpoint",
        endpointId,
        at: t(2),
        url: null,
        name: "all of it",
        enabled: null,
        eventTypes: null
      })
      .then({
        _tag: "WebhookEndpointUpdated",
        endpointId,
        at: t(2),
        url: created.url,
        name: "all of it",
        enabled: true,
        eventTypes: ["ingest.*"]
      })
    assert.strictEqual(renamed?.name, "all of it")
  })

  it("rotates the secret: both sign until the overlap ends, then only the new one", () => {
    const state = given(created)
      .when({ _tag: "RotateWebhookSecret", endpointId, at: t(10), secret: secret2, previousValidUntil: t(70) })
      .then({ _tag: "WebhookSecretRotated", endpointId, at: t(10), secret: secret2, previousValidUntil: t(70) })
    assert.deepStrictEqual(signingSecrets(state!, t(69)), [secret2, secret1])
    assert.deepStrictEqual(signingSecrets(state!, t(70)), [secret2])
  })

  it("a 410 turns it off once; its owner turns it on again", () => {
    const disabled = { _tag: "WebhookEndpointDisabled" as const, endpointId, at: t(5), reason: "gone" as const }
    const state = given(created)
      .when({ _tag: "DisableWebhookEndpoint", endpointId, at: t(5), reason: "gone" })
      .then(disabled)
    assert.isFalse(isReceiving(state!))
    assert.strictEqual(state?.disabledReason, "gone")
    given(created, disabled)
      .when({ _tag: "DisableWebhookEndpoint", endpointId, at: t(6), reason: "gone" })
      .then()
    const back = given(created, disabled)
      .when({
        _tag: "UpdateWebhookEndpoint",
        endpointId,
        at: t(7),
        url: null,
        name: null,
        enabled: true,
        eventTypes: null
      })
      .then({
        _tag: "WebhookEndpointUpdated",
        endpointId,
        at: t(7),
        url: created.url,
        name: created.name,
        enabled: true,
        eventTypes: ["ingest.*"]
      })
    assert.isTrue(isReceiving(back!))
    assert.strictEqual(back?.disabledReason, null)
  })

  it("deletes once; a deleted or unknown endpoint is not found", () => {
    const deleted = { _tag: "WebhookEndpointDeleted" as const, endpointId, at: t(3) }
    given(created)
      .when({ _tag: "DeleteWebhookEndpoint", endpointId, at: t(3) })
      .then(deleted)
    given(created, deleted)
      .when({ _tag: "DeleteWebhookEndpoint", endpointId, at: t(4) })
      .thenFails("WebhookEndpointNotFound", { endpointId })
    given()
      .when({ _tag: "RotateWebhookSecret", endpointId, at: t(1), secret: secret2, previousValidUntil: t(2) })
      .thenFails("WebhookEndpointNotFound", { endpointId })
  })

  it("filters event types by exact name, family and everything", () => {
    assert.isTrue(matchesEventType(["ingest.*"], "ingest.end.success"))
    assert.isFalse(matchesEventType(["ingest.*"], "hls.started.success"))
    assert.isTrue(matchesEventType(["hls.started.success"], "hls.started.success"))
    assert.isFalse(matchesEventType(["hls.started.success"], "hls.stopped.success"))
    assert.isTrue(matchesEventType(["*"], "peer.join.success"))
    assert.isFalse(matchesEventType(["ingest.*"], "ingestion.x"))
  })

  it("takes RealtimeKit's names for the types they stand for, delivered under that name unless OnAir's is named too", () => {
    assert.strictEqual(
      deliveredType(["livestreaming.statusUpdate"], "livestream.status.changed"),
      "livestreaming.statusUpdate"
    )
    assert.strictEqual(deliveredType(["recording.statusUpdate"], "recording.failed"), "recording.statusUpdate")
    assert.strictEqual(deliveredType(["recording.statusUpdate"], "hls.recording.success"), undefined)
    assert.strictEqual(
      deliveredType(["meeting.started", "meeting.participantJoined"], "peer.join.success"),
      "meeting.participantJoined"
    )
    assert.strictEqual(deliveredType(["meeting.summary", "meeting.chatSynced"], "session.open.success"), undefined)
    // Named both ways: one delivery, under OnAir's name.
    assert.strictEqual(
      deliveredType(["livestreaming.statusUpdate", "livestream.*"], "livestream.status.changed"),
      "livestream.status.changed"
    )
  })

  it("a legacy endpoint without a name reads as one, and camel case is only RealtimeKit's names", () => {
    const { name: _, ...legacy } = created
    const decoded = Schema.decodeUnknownSync(WebhookEndpointEvent)(legacy)
    assert.strictEqual((decoded as { name: string }).name, "")
    assert.isTrue(Schema.is(EventTypeFilter)(["meeting.participantLeft", "ingest.*"]))
    assert.isFalse(Schema.is(EventTypeFilter)(["meeting.somethingElse"]))
  })
})
