/**
 * One error per rule a webhook-endpoint command can break.
 */
import { Schema } from "effect"
import { WebhookEndpointId } from "./WebhookValues.ts"

export class WebhookEndpointAlreadyExists extends Schema.TaggedError<WebhookEndpointAlreadyExists>()(
  "WebhookEndpointAlreadyExists",
  { endpointId: WebhookEndpointId }
) {}

export class WebhookEndpointNotFound extends Schema.TaggedError<WebhookEndpointNotFound>()("WebhookEndpointNotFound", {
  endpointId: WebhookEndpointId
}) {}

export type WebhookEndpointError = WebhookEndpointAlreadyExists | WebhookEndpointNotFound
