/**
 * Value types of an app: its name, and how it came to be one.
 */
import { Schema } from "effect"

/** An app's name: 1 to 255 characters, not only spaces. */
export const AppName = Schema.String.pipe(
  Schema.check(Schema.isMinLength(1), Schema.isMaxLength(255), Schema.isPattern(/\S/))
)

/**
 * `created`: by its owner (the API) or the operator (the CLI). `existing`: an app that had livestreams,
 * settings, endpoints or a token naming it before apps were resources, registered the first time a request
 * used it (ADR 0016).
 */
export const AppOrigin = Schema.Literals(["created", "existing"])
export type AppOrigin = typeof AppOrigin.Type
