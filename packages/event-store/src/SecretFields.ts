/**
 * The store's side of secrets at rest: an event's secret fields (`SECRET_FIELDS`) sealed under the
 * keyring as it is appended, opened as it is read. A value written before encryption existed is read as
 * it is (and `onair secrets rewrap` seals it).
 */
import type { StreamAppend } from "@onair/core"
import { fieldContext, isEncrypted, type Keyring, SECRET_FIELDS } from "./SecretKeyring.ts"

const isRecord = (data: unknown): data is Record<string, unknown> =>
  typeof data === "object" && data !== null && !Array.isArray(data)

/** `data` with its secret fields sealed; the same object when it has none. */
export const seal = (keyring: Keyring, stream: string, data: unknown): unknown => {
  if (!isRecord(data) || !SECRET_FIELDS.some((field) => typeof data[field] === "string" && !isEncrypted(data[field]))) {
    return data
  }
  const sealed: Record<string, unknown> = { ...data }
  for (const field of SECRET_FIELDS) {
    const value = data[field]
    if (typeof value === "string" && !isEncrypted(value))
      sealed[field] = keyring.encrypt(value, fieldContext(stream, field))
  }
  return sealed
}

export const sealAppends = (keyring: Keyring, appends: ReadonlyArray<StreamAppend>): ReadonlyArray<StreamAppend> =>
  appends.map((append) => ({
    ...append,
    events: append.events.map((event) => ({ ...event, data: seal(keyring, append.stream, event.data) }))
  }))

/** `data` with its secret fields opened, or why one cannot be. */
export const open = (
  keyring: Keyring,
  stream: string,
  data: unknown
): { readonly data: unknown } | { readonly error: string } => {
  if (!isRecord(data) || !SECRET_FIELDS.some((field) => isEncrypted(data[field]))) return { data }
  const opened: Record<string, unknown> = { ...data }
  for (const field of SECRET_FIELDS) {
    const value = data[field]
    if (!isEncrypted(value)) continue
    const plain = keyring.decrypt(value, fieldContext(stream, field))
    if (typeof plain !== "string") return { error: `${stream} ${field}: ${plain.error}` }
    opened[field] = plain
  }
  return { data: opened }
}
