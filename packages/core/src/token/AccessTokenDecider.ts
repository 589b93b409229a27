/**
 * The access-token decider: issued once, revoked at most once, never changed otherwise (a token with other
 * apps is a new token).
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import type { AccessTokenCommand } from "./AccessTokenCommand.ts"
import {
  AccessTokenAlreadyIssued,
  AccessTokenAlreadyRevoked,
  type AccessTokenError,
  AccessTokenNotFound
} from "./AccessTokenError.ts"
import type { AccessTokenEvent } from "./AccessTokenEvent.ts"
import type { AccessTokenState } from "./AccessTokenState.ts"

export const decide = (
  command: AccessTokenCommand,
  state: AccessTokenState
): Result.Result<ReadonlyArray<AccessTokenEvent>, AccessTokenError> => {
  switch (command._tag) {
    case "IssueAccessToken":
      if (state !== null) return Result.fail(new AccessTokenAlreadyIssued({ tokenId: command.tokenId }))
      return Result.succeed([{ ...command, _tag: "AccessTokenIssued" }])
    case "RevokeAccessToken":
      if (state === null) return Result.fail(new AccessTokenNotFound({ tokenId: command.tokenId }))
      if (state.revokedAt !== null) return Result.fail(new AccessTokenAlreadyRevoked({ tokenId: command.tokenId }))
      return Result.succeed([{ _tag: "AccessTokenRevoked", tokenId: command.tokenId, at: command.at }])
  }
}

export const evolve = (state: AccessTokenState, event: AccessTokenEvent): AccessTokenState => {
  switch (event._tag) {
    case "AccessTokenIssued":
      return {
        id: event.tokenId,
        accountId: event.accountId,
        appIds: event.appIds,
        label: event.label,
        secretHash: event.secretHash,
        issuedAt: event.at,
        revokedAt: null
      }
    case "AccessTokenRevoked":
      return state === null ? state : { ...state, revokedAt: event.at }
  }
}

export const AccessTokenDecider: Decider<AccessTokenCommand, AccessTokenEvent, AccessTokenState, AccessTokenError> = {
  initialState: null,
  decide,
  evolve
}
