/**
 * Why an app command was refused.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"

/** The id is taken in this account. */
export class AppAlreadyExists extends Schema.TaggedError<AppAlreadyExists>()("AppAlreadyExists", {
  accountId: AccountId,
  appId: AppId
}) {}
