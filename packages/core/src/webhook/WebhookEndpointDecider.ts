/**
 * The webhook-endpoint decider: created once, changed, its secret rotated with an overlap, disabled by a
 * 410, deleted once (a deleted endpoint is not found any more).
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import type { WebhookEndpointCommand } from "./WebhookEndpointCommand.ts"
import {
  WebhookEndpointAlreadyExists,
  type WebhookEndpointError,
  WebhookEndpointNotFound
} from "./WebhookEndpointError.ts"
import type { WebhookEndpointEvent } from "./WebhookEndpointEvent.ts"
import type { WebhookEndpointState } from "./WebhookEndpointState.ts"

export const decide = (
  command: WebhookEndpointCommand,
  state: WebhookEndpointState
): Result.Result<ReadonlyArray<WebhookEndpointEvent>, WebhookEndpointError> => {
  if (command._tag === "CreateWebhookEndpoint") {
    if (state !== null) return Result.fail(new WebhookEndpointAlreadyExists({ endpointId: command.endpointId }))
    return Result.succeed([{ ...command, _tag: "WebhookEndpointCreated" }])
  }
  if (state === null || state.deleted)
    return Result.fail(new WebhookEndpointNotFound({ endpointId: command.endpointId }))
  const subject = { endpointId: state.id, at: command.at }
  switch (command._tag) {
    case "UpdateWebhookEndpoint":
      return Result.succeed([
        {
          _tag: "WebhookEndpointUpdated",
          ...subject,
          url: command.url ?? state.url,
          name: command.name ?? state.name,
          enabled: command.enabled ?? state.enabled,
          eventTypes: command.eventTypes ?? state.eventTypes
        }
      ])
    case "RotateWebhookSecret":
      return Result.succeed([
        {
          _tag: "WebhookSecretRotated",
          ...subject,
          secret: command.secret,
          previousValidUntil: command.previousValidUntil
        }
      ])
    case "DisableWebhookEndpoint":
      // Already off: nothing changes.
      return Result.succeed(
        state.enabled ? [{ _tag: "WebhookEndpointDisabled", ...subject, reason: command.reason }] : []
      )
    case "DeleteWebhookEndpoint":
      return Result.succeed([{ _tag: "WebhookEndpointDeleted", ...subject }])
  }
}

export const evolve = (state: WebhookEndpointState, event: WebhookEndpointEvent): WebhookEndpointState => {
  if (event._tag === "WebhookEndpointCreated") {
    return {
      id: event.endpointId,
      accountId: event.accountId,
      appId: event.appId,
      url: event.url,
      name: event.name,
      enabled: event.enabled,
      disabledReason: null,
      eventTypes: event.eventTypes,
      secrets: [{ secret: event.secret, validUntil: null }],
      deleted: false,
      createdAt: event.at,
      updatedAt: event.at
    }
  }
  if (state === null) return state
  const endpoint = { ...state, updatedAt: event.at }
  switch (event._tag) {
    case "WebhookEndpointUpdated":
      return {
        ...endpoint,
        url: event.url,
        name: event.name,
        enabled: event.enabled,
        eventTypes: event.eventTypes,
        // Turning an endpoint on again is how its owner says the receiver is back.
        disabledReason: event.enabled ? null : state.disabledReason
      }
    case "WebhookSecretRotated":
      return {
        ...endpoint,
        secrets: [
          { secret: event.secret, validUntil: null },
          ...state.secrets
            .map((s) => ({
              secret: s.secret,
              validUntil:
                s.validUntil === null
                  ? event.previousValidUntil
                  : (Math.min(s.validUntil, event.previousValidUntil) as typeof event.at)
            }))
            .filter((s) => s.validUntil > event.at)
        ]
      }
    case "WebhookEndpointDisabled":
      return { ...endpoint, enabled: false, disabledReason: event.reason }
    case "WebhookEndpointDeleted":
      return { ...endpoint, deleted: true }
  }
}

export const WebhookEndpointDecider: Decider<
  WebhookEndpointCommand,
  WebhookEndpointEvent,
  WebhookEndpointState,
  WebhookEndpointError
> = { initialState: null, decide, evolve }
