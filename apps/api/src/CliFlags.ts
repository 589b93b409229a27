/**
 * The CLIs' `--flag value` arguments: read in pairs, each by its own reader, which keeps the value or says
 * what is wrong with it; a flag without a value or one no reader knows is refused.
 */
import { Schema } from "effect"

/** Reads the pairs; undefined when all were read, else what is wrong. */
export const readFlags = (
  args: ReadonlyArray<string>,
  readers: { readonly [flag: string]: (value: string) => string | undefined }
): string | undefined => {
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]]
    if (value === undefined) return `${flag} needs a value`
    const reader = readers[flag]
    if (reader === undefined) return `unknown option ${flag}`
    const wrong = reader(value)
    if (wrong !== undefined) return wrong
  }
  return undefined
}

/** A reader of an id (an account's, an app's): kept when the schema takes it, else the rule it breaks. */
export const idReader =
  <A>(schema: Schema.Codec<A, string>, flag: string, what: string, keep: (id: A) => void) =>
  (value: string) => {
    const decoded = Schema.decodeUnknownOption(schema)(value)
    if (decoded._tag === "None") return `${flag}: ${value} is not ${what} (letters, digits, _ and -, up to 64)`
    keep(decoded.value)
    return undefined
  }
