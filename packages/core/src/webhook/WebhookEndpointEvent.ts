/**
 * Events of a webhook endpoint's stream (`webhookEndpoint-<id>`).
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  EndpointCreationFields,
  EndpointDisableReason,
  EventTypeFilter,
  LoggedEndpointName,
  SigningSecret,
  WebhookEndpointId,
  WebhookUrl
} from "./WebhookValues.ts"

const subject = { endpointId: WebhookEndpointId, at: Timestamp }

export const WebhookEndpointEvent = Schema.TaggedUnion({
  WebhookEndpointCreated: { ...subject, accountId: AccountId, appId: AppId, ...EndpointCreationFields },
  /** The endpoint's settings after the change, whole. */
  WebhookEndpointUpdated: {
    ...subject,
    url: WebhookUrl,
    name: LoggedEndpointName,
    enabled: Schema.Boolean,
    eventTypes: EventTypeFilter
  },
  WebhookSecretRotated: { ...subject, secret: SigningSecret, previousValidUntil: Timestamp },
  WebhookEndpointDisabled: { ...subject, reason: EndpointDisableReason },
  WebhookEndpointDeleted: { ...subject }
})
export type WebhookEndpointEvent = typeof WebhookEndpointEvent.Type

/** The category of webhook endpoint streams: an endpoint's events are in `webhookEndpoint-<id>`. */
export const WEBHOOK_ENDPOINT_CATEGORY = "webhookEndpoint"

export const webhookEndpointStream = (id: string): string => `${WEBHOOK_ENDPOINT_CATEGORY}-${id}`
