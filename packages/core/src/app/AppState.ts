/**
 * An app's state, folded from its events. `null` until it is created.
 */
import { Schema } from "effect"
import { AccountId, AppId } from "../Ids.ts"
import { Timestamp } from "../Time.ts"
import { AppName, AppOrigin } from "./AppValues.ts"

export const App = Schema.Struct({
  accountId: AccountId,
  id: AppId,
  name: AppName,
  origin: AppOrigin,
  createdAt: Timestamp
})
export type App = typeof App.Type

export const AppState = Schema.NullOr(App)
export type AppState = typeof AppState.Type
