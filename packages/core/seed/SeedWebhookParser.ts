/**
 * Reads the webhook seed (seed 004, copied beside this file as the text it was given in) into what OnAir
 * checks its own messages against and what the receiver kit types events by: per event type, every data
 * field with the seed's name and type, the values the seed enumerates, the version its sample carries, and
 * the sample itself. `pnpm seed:webhooks` writes `src/webhook/SeedWebhookTable.ts` and
 * `src/webhook/SeedWebhookSamples.ts` from it; a test checks both are what this parser makes of the seed.
 *
 * The seed's own inconsistencies are kept, not mended: each is listed in `quirks` and in
 * docs/webhooks.md.
 */

/** The seed's names for a field's type. */
export type SeedFieldType = "string" | "int" | "bool" | "timestamp" | "array" | "dict"

export interface SeedField {
  readonly name: string
  readonly type: SeedFieldType
  /** The JSON type the seed's own sample gives the field where it differs from the table's (a quirk). */
  readonly sampleType?: SeedFieldType
}

export interface SeedEventType {
  readonly type: string
  /** The sample's `version` ("1.0" for the SFU recording events, "2.0" for the rest). */
  readonly version: string
  readonly fields: ReadonlyArray<SeedField>
  /** Fields whose values the seed enumerates; `<error_type>` in a value stands for the family's error types. */
  readonly enums: Readonly<Record<string, ReadonlyArray<string>>>
}

export interface SeedCatalogue {
  readonly types: ReadonlyArray<SeedEventType>
  readonly samples: ReadonlyArray<{ readonly section: string; readonly event: Record<string, unknown> }>
  readonly quirks: ReadonlyArray<string>
}

const EVENT_TYPE = /^[a-z]+(\.[a-z]+){1,3}$/
const ROW = /^([A-Za-z_]+?)(string|int|bool|timestamp \(in UTC\)|array|dict)(.*)$/
/** Rows that name the envelope's keys (the ingest tables list them among the data's). */
const ENVELOPE_ROWS = new Set(["Id of the event", "Timestamp of the event", "Type of the event"])

/** Lists of values under a heading in an event's section, and the field they are the values of. */
const REASON_HEADINGS: Readonly<Record<string, string>> = {
  "Peer Leave Reason": "reason",
  "Peer join failure Reason": "error_message",
  "Peer leave failure Reason": "error_message",
  "Beam Stop Reason": "reason",
  "HLS Stop Reason": "reason"
}

const jsonType = (value: unknown): SeedFieldType =>
  typeof value === "number"
    ? "int"
    : typeof value === "boolean"
      ? "bool"
      : Array.isArray(value)
        ? "array"
        : typeof value === "object" && value !== null
          ? "dict"
          : "string"

/** The seed's samples are JSON but for a trailing comma in one. */
const parseSample = (line: string): Record<string, unknown> =>
  JSON.parse(line.replace(/,\s*}/g, " }")) as Record<string, unknown>

/** An error-type row: its types (one or a comma-separated list) and its message. */
const errorRow = (line: string): { types: Array<string>; message: string } | undefined => {
  const found = /^((?:[A-Z_]+, )*[A-Z_]+?)((?:[A-Z][a-z]|INTERNAL_ERROR).*)$/.exec(line)
  if (found === null) return undefined
  const rest = found[2]!
  const upper = /^([A-Z_]+)(?=[A-Z][a-z])/.exec(rest)
  const message = upper !== null ? upper[1]! : (/^(.*?[a-z.>])(?=[A-Z][a-z])/.exec(rest)?.[1] ?? rest)
  return { types: found[1]!.split(", "), message }
}

export const parseSeed = (text: string): SeedCatalogue => {
  const lines = text.split("\n").map((line) => line.trimEnd())
  const quirks: Array<string> = []
  const sections: Array<{ type: string; start: number; end: number }> = []
  lines.forEach((line, index) => {
    if (line !== "Attributes") return
    for (let back = index - 1; back >= 0; back--) {
      if (EVENT_TYPE.test(lines[back]!)) {
        sections.push({ type: lines[back]!, start: back, end: lines.length })
        break
      }
    }
  })
  sections.forEach((section, index) => {
    if (index > 0) sections[index - 1]!.end = section.start
  })
  const samples: Array<{ section: string; event: Record<string, unknown> }> = []
  const types = sections.map((section): SeedEventType => {
    const body = lines.slice(section.start, section.end)
    const fields: Array<SeedField> = []
    const enums: Record<string, Array<string>> = {}
    let sample: Record<string, unknown> | undefined
    let mode: "none" | "rows" | "reasons" | "errors" = "none"
    let reasonField = ""
    for (const line of body) {
      const trimmed = line.trim()
      if (trimmed === "") continue
      if (trimmed === "NameTypeDescription") {
        mode = "rows"
        continue
      }
      if (REASON_HEADINGS[trimmed] !== undefined) {
        mode = "reasons"
        reasonField = REASON_HEADINGS[trimmed]!
        continue
      }
      if (trimmed === "Error types") {
        mode = "errors"
        continue
      }
      if (trimmed === "Sample" || trimmed === "Attributes") {
        mode = "none"
        continue
      }
      if (trimmed.startsWith('{ "version"')) {
        sample = parseSample(trimmed)
        continue
      }
      if (mode === "rows") {
        if (trimmed.startsWith("Example:") || trimmed === "(Deprecated)") continue
        const row = ROW.exec(trimmed)
        if (row === null) continue
        const description = row[3]!.trim()
        if (ENVELOPE_ROWS.has(description)) continue
        const type = row[2]!.startsWith("timestamp") ? "timestamp" : (row[2] as SeedFieldType)
        fields.push({ name: row[1]!, type })
        const listed = /Possible (?:reasons|messages) are ?: (.*)$/.exec(description)
        if (listed !== null) enums[row[1]!] = [...listed[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!)
        // "It is 'sip' for peers joining through SIP and 'regular' for peers joining directly"
        const quoted = /^.*It is '([^']+)'.* and '([^']+)'/.exec(description)
        if (quoted !== null) enums[row[1]!] = [quoted[1]!, quoted[2]!]
      } else if (mode === "reasons") {
        const item = /^\d+\. (.*)$/.exec(trimmed)
        if (item === null) continue
        // "client request: if the peer leaves …", "websocket closed: network issues", "failure: <error_type>: if …"
        const value = item[1]!.split(/: (?!<)/)[0]!.trim()
        enums[reasonField] = [...(enums[reasonField] ?? []), value]
      } else if (mode === "errors") {
        if (trimmed === "TypeMessageDescription") continue
        const row = errorRow(trimmed)
        if (row === undefined) continue
        enums["error_type"] = [...(enums["error_type"] ?? []), ...row.types]
        if (section.type === "recording.failed") enums["error"] = [...(enums["error"] ?? []), row.message]
      }
    }
    if (sample === undefined) throw new Error(`the seed's ${section.type} has no sample`)
    samples.push({ section: section.type, event: sample })
    if (sample["type"] !== section.type)
      quirks.push(`${section.type}: its sample's \`type\` is \`${String(sample["type"])}\``)
    const data = (sample["data"] ?? {}) as Record<string, unknown>
    const typed = fields.map((field): SeedField => {
      const value = data[field.name]
      if (value === undefined || value === null || typeof value === "string" || field.type === "timestamp") return field
      const actual = jsonType(value)
      if (actual === field.type) return field
      quirks.push(`${section.type}: \`${field.name}\` is listed as ${field.type}, its sample gives ${actual}`)
      return { ...field, sampleType: actual }
    })
    for (const key of Object.keys(data)) {
      if (!fields.some((field) => field.name === key))
        quirks.push(`${section.type}: its sample has \`${key}\`, which its table does not list`)
    }
    return { type: section.type, version: String(sample["version"]), fields: typed, enums }
  })
  return { types, samples, quirks }
}

const literal = (value: unknown) => JSON.stringify(value)

/** `src/webhook/SeedWebhookTable.ts`: the table, as a constant the types are derived from. */
export const renderTable = (catalogue: SeedCatalogue): string => {
  const entries = catalogue.types.map((event) => {
    const fields = event.fields
      .map(
        (field) =>
          `      { name: ${literal(field.name)}, type: ${literal(field.type)}${field.sampleType === undefined ? "" : `, sampleType: ${literal(field.sampleType)}`} }`
      )
      .join(",\n")
    const enums = Object.entries(event.enums)
      .map(([name, values]) => `      ${name}: [${values.map(literal).join(", ")}]`)
      .join(",\n")
    return `  ${literal(event.type)}: {\n    version: ${literal(event.version)},\n    fields: [\n${fields}\n    ],\n    enums: {${enums === "" ? "" : `\n${enums}\n    `}}\n  }`
  })
  return `/**
 * Generated by \`pnpm seed:webhooks\` from the webhook seed (packages/core/seed/004-webhook-events.txt):
 * every event type of the seed's catalogue, each data field with the seed's name and type (\`sampleType\`:
 * the type the seed's own sample gives it, where the two differ), the values the seed enumerates, and the
 * \`version\` its sample carries. Do not edit: change the parser (packages/core/seed/SeedWebhookParser.ts).
 *
 * The seed's quirks, as the parser found them:
${catalogue.quirks.map((quirk) => ` * - ${quirk}`).join("\n")}
 */

export const SEED_WEBHOOK_TABLE = {
${entries.join(",\n")}
} as const
`
}

/** \`src/webhook/SeedWebhookSamples.ts\`: every sample of the seed, as it gives it. */
export const renderSamples = (catalogue: SeedCatalogue): string => `/**
 * Generated by \`pnpm seed:webhooks\` from the webhook seed (packages/core/seed/004-webhook-events.txt):
 * the sample event of each section, exactly as the seed gives it (its masked ids included), for the tests
 * that hold receivers to the seed and for other teams' own. Do not edit.
 */

export const SEED_WEBHOOK_SAMPLES: ReadonlyArray<{
  /** The section of the seed the sample is printed under (its \`type\` may differ: a quirk). */
  readonly section: string
  readonly event: { readonly [key: string]: unknown }
}> = ${JSON.stringify(catalogue.samples, null, 2)}
`
