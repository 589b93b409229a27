/**
 * Commands to a webhook endpoint. Ids and secrets are chosen by the caller, so deciding stays pure.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import {
  EndpointCreationFields,
  EndpointDisableReason,
  EventTypeFilter,
  SigningSecret,
  WebhookEndpointId,
  WebhookName,
  WebhookUrl
} from "./WebhookValues.ts"

const target = { endpointId: WebhookEndpointId, at: Timestamp }

export const WebhookEndpointCommand = Schema.TaggedUnion({
  CreateWebhookEndpoint: { ...target, accountId: AccountId, appId: AppId, ...EndpointCreationFields },
  /** Null leaves a setting as it is. Enabling clears a `gone` disable. */
  UpdateWebhookEndpoint: {
    ...target,
    url: Schema.NullOr(WebhookUrl),
    name: Schema.NullOr(WebhookName),
    enabled: Schema.NullOr(Schema.Boolean),
    eventTypes: Schema.NullOr(EventTypeFilter)
  },
  /** The new secret signs from now; the old one also signs until `previousValidUntil`. */
  RotateWebhookSecret: { ...target, secret: SigningSecret, previousValidUntil: Timestamp },
  /** The delivery worker's: the receiver answered 410 Gone. */
  DisableWebhookEndpoint: { ...target, reason: EndpointDisableReason },
  DeleteWebhookEndpoint: { ...target }
})
export type WebhookEndpointCommand = typeof WebhookEndpointCommand.Type
