/**
 * The app decider: an app is created once, in one account, and is never removed (its livestreams,
 * recordings and analytics stay addressable under it).
 */
import { Result } from "effect"
import type { Decider } from "../Decider.ts"
import type { AppCommand } from "./AppCommand.ts"
import { AppAlreadyExists } from "./AppError.ts"
import type { AppEvent } from "./AppEvent.ts"
import type { AppState } from "./AppState.ts"

export const decide = (
  command: AppCommand,
  state: AppState
): Result.Result<ReadonlyArray<AppEvent>, AppAlreadyExists> =>
  state !== null
    ? Result.fail(new AppAlreadyExists({ accountId: command.accountId, appId: command.appId }))
    : Result.succeed([{ ...command, _tag: "AppCreated" }])

export const evolve = (state: AppState, event: AppEvent): AppState =>
  state ?? { accountId: event.accountId, id: event.appId, name: event.name, origin: event.origin, createdAt: event.at }

export const AppDecider: Decider<AppCommand, AppEvent, AppState, AppAlreadyExists> = {
  initialState: null,
  decide,
  evolve
}
