/**
 * Messages held to the webhook seed's table (`SeedWebhookTable.ts`, generated from seed 004): which
 * version a type's envelope carries, the fields the seed lists for it, and where a message departs from
 * it: a listed field missing, a value of another type, a value outside the seed's enumeration, or a field
 * neither the seed lists nor OnAir documents as its own extension (`ONAIR_EXTENSION_FIELDS`).
 *
 * Every listed field is present in every message; one OnAir cannot know is `null` (docs/webhooks.md says
 * which and why), and null is of every type.
 */
import { SEED_WEBHOOK_TABLE } from "./SeedWebhookTable.ts"

export type SeedWebhookType = keyof typeof SEED_WEBHOOK_TABLE
export type SeedFieldType = "string" | "int" | "bool" | "timestamp" | "array" | "dict"

interface TableEntry {
  readonly version: string
  readonly fields: ReadonlyArray<{ readonly name: string; readonly type: SeedFieldType; readonly sampleType?: string }>
  readonly enums: Readonly<Record<string, ReadonlyArray<string>>>
}

const TABLE = SEED_WEBHOOK_TABLE as unknown as Readonly<Record<string, TableEntry>>

/** Every type of the seed's catalogue. */
export const SEED_WEBHOOK_TYPES = Object.keys(SEED_WEBHOOK_TABLE) as ReadonlyArray<SeedWebhookType>

export const isSeedWebhookType = (type: string): type is SeedWebhookType => Object.hasOwn(TABLE, type)

/** The envelope's `version` for a type: as the seed's sample gives it ("1.0" for `recording.*`), else "2.0". */
export const seedVersion = (type: string): string => TABLE[type]?.version ?? "2.0"

/** The names of the fields the seed lists for a type (none for a type of OnAir's own). */
export const seedFieldNames = (type: string): ReadonlyArray<string> =>
  TABLE[type]?.fields.map((field) => field.name) ?? []

/** Of `data`, the fields the seed lists for `type` (nothing of a type of OnAir's own). */
export const seedFieldsOf = <V>(type: string, data: { readonly [key: string]: V }): { [key: string]: V } => {
  const listed = new Set(seedFieldNames(type))
  return Object.fromEntries(Object.entries(data).filter(([name]) => listed.has(name)))
}

/**
 * The fields OnAir adds to the seed's, in any message that carries them (docs/webhooks.md, "Extensions").
 * Each says what it is.
 */
export const ONAIR_EXTENSION_FIELDS: Readonly<Record<string, string>> = {
  livestream_id: "The livestream the event is about (every livestream's event).",
  account_id: "The account (in every livestream's event; the seed lists it for ingest and transcription).",
  app_id: "The app (in every livestream's event; the seed lists it for ingest and transcription).",
  room_id:
    "The meeting, or the livestream when it has none (`livestream.status.changed`; the seed lists it elsewhere).",
  template_id:
    "The app, the seed's template (`transcription.*`, `livestream.status.changed`; the seed lists it elsewhere).",
  stream_id: "The livestream session (the seed lists it for ingest; OnAir adds it to HLS and recording events).",
  recording_id: "The recording's id (its session's), in `recording.*` and `hls.*` recording events.",
  onair_reason:
    "OnAir's own reason where the seed's enumerated value is coarser (`ingest.*`, `hls.*`, `beam.*`, `recording.failed`, `transcription.failure`).",
  onair_error_type: "OnAir's own error type where the seed's is coarser (`hls.failure`, `beam.failure`).",
  renditions_refused:
    "The renditions a media node did not transcode (`hls.failure` of type RENDITIONS_REFUSED in `onair_error_type`).",
  engine: "The speech-to-text engine that made a transcript (`transcription.success`).",
  words: "How many words a transcript has (`transcription.success`).",
  status: "The livestream's status (`livestream.status.changed`).",
  previous_status: "Its status before (`livestream.status.changed`).",
  changed_at: "When it changed (`livestream.status.changed`).",
  session_id: "The livestream session (`livestream.status.changed`)."
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

const isOfType = (value: unknown, type: string): boolean => {
  switch (type) {
    case "string":
      return typeof value === "string"
    case "int":
      return typeof value === "number" && Number.isInteger(value)
    case "bool":
      return typeof value === "boolean"
    case "timestamp":
      return typeof value === "string" && TIME.test(value)
    case "array":
      return Array.isArray(value)
    default:
      return typeof value === "object" && value !== null && !Array.isArray(value)
  }
}

/**
 * The values the seed enumerates for a field of a type (its own list, `<error_type>` standing for its
 * family's error types), or undefined where it enumerates none.
 */
export const seedValues = (type: string, field: string): ReadonlyArray<string> | undefined => {
  const listed = TABLE[type]?.enums[field]
  if (listed === undefined) return undefined
  const family = type.split(".")[0]!
  const errorTypes = TABLE[`${family}.failure`]?.enums["error_type"] ?? []
  return listed.flatMap((value) =>
    value.includes("<error_type>") ? errorTypes.map((error) => value.replace("<error_type>", error)) : [value]
  )
}

/** Whether a seed field's value has the seed's type (or its sample's), null being of every type. */
export const seedTypeProblem = (type: string, field: string, value: unknown): string | undefined => {
  const listed = TABLE[type]?.fields.find((candidate) => candidate.name === field)
  if (listed === undefined || value === null || value === undefined) return undefined
  if (isOfType(value, listed.type) || (listed.sampleType !== undefined && isOfType(value, listed.sampleType)))
    return undefined
  return `${field}: ${JSON.stringify(value)} is not of the seed's type ${listed.type}`
}

/** Whether a value is one of the seed's for its field (true where the seed enumerates none). */
export const isSeedValue = (type: string, field: string, value: unknown): boolean => {
  const allowed = seedValues(type, field)
  return allowed === undefined || value === null || (typeof value === "string" && allowed.includes(value))
}

/**
 * Where a message's `data` departs from the seed's table for its type, one line each (none: it conforms).
 * A type of OnAir's own (`livestream.status.changed`) has only OnAir's fields.
 */
export const seedConformance = (type: string, data: Readonly<Record<string, unknown>>): ReadonlyArray<string> => {
  const entry = TABLE[type]
  const problems: Array<string> = []
  for (const field of entry?.fields ?? []) {
    if (!Object.hasOwn(data, field.name)) {
      problems.push(`${field.name}: missing`)
      continue
    }
    const value = data[field.name]
    const typeProblem = seedTypeProblem(type, field.name, value)
    if (typeProblem !== undefined) problems.push(typeProblem)
    else if (!isSeedValue(type, field.name, value))
      problems.push(
        `${field.name}: ${JSON.stringify(value)} is not one of the seed's (${seedValues(type, field.name)!.join(", ")})`
      )
  }
  const listed = new Set(seedFieldNames(type))
  for (const key of Object.keys(data)) {
    if (!listed.has(key) && !Object.hasOwn(ONAIR_EXTENSION_FIELDS, key))
      problems.push(`${key}: neither the seed's nor a documented extension`)
  }
  return problems
}
