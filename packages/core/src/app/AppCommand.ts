/**
 * Commands to an app. The id is chosen by the caller (a new UUID, or the operator's), so deciding stays pure.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { AppName, AppOrigin } from "./AppValues.ts"

export const AppCommand = Schema.TaggedUnion({
  CreateApp: { accountId: AccountId, appId: AppId, name: AppName, origin: AppOrigin, at: Timestamp }
})
export type AppCommand = typeof AppCommand.Type
