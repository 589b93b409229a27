/**
 * The OpenAPI document clients generate code from, finished from what effect generates: each operation's
 * summary and description, each parameter's and field's description and example (OpenApiOperations,
 * OpenApiFields), whole-number query parameters as integers and `exclude_meetings` as a boolean (their
 * wire form is a string), times and URLs with their formats, a server, the thumbnail's 302 as its success,
 * and `anyOf` lists without repeats. Applied as the API's OpenAPI transform, so `/openapi.json` and the
 * docs page serve it.
 */
import { DATE_TIME_FIELDS, FIELDS, type FieldDoc, INTEGER_PARAMETERS, PARAMETERS, URI_FIELDS } from "./OpenApiFields.ts"
import { OPERATIONS } from "./OpenApiOperations.ts"

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document as effect writes it is walked as plain JSON
type Json = Record<string, any>

const UUID_EXAMPLE = "78dd0b50-4147-4bb8-88d3-2ccc2e98bff0"
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

const isUuidPattern = (schema: Json) =>
  typeof schema["pattern"] === "string" && schema["pattern"].startsWith("^([0-9a-fA-F]{8}-")
const isNumericString = (schema: Json) =>
  schema["type"] === "string" && typeof schema["pattern"] === "string" && schema["pattern"].startsWith("^[+-]?(?:\\d+")

/** An example of a schema with no documented one: from its enum, format or type. */
const exampleOf = (schema: Json): unknown => {
  if (Array.isArray(schema["enum"])) return schema["enum"][0]
  if (Array.isArray(schema["anyOf"])) return exampleOf(schema["anyOf"].find((s: Json) => s["type"] !== "null") ?? {})
  switch (schema["type"]) {
    case "string":
      return schema["format"] === "date-time"
        ? "2026-11-27T12:00:00.000Z"
        : schema["format"] === "uuid" || isUuidPattern(schema)
          ? UUID_EXAMPLE
          : "text"
    case "integer":
      return schema["minimum"] ?? 1
    case "number":
      return schema["minimum"] ?? 1.5
    case "boolean":
      return true
    case "array": {
      if (Array.isArray(schema["prefixItems"])) return schema["prefixItems"].map((item: Json) => exampleOf(item))
      const item = schema["items"] === undefined ? undefined : exampleOf(schema["items"])
      return item === undefined ? [] : [item]
    }
    case "object": {
      // Its required fields' examples (documented where they are, else from their schemas).
      const properties = (schema["properties"] ?? {}) as Record<string, Json>
      const example: Record<string, unknown> = {}
      for (const name of (schema["required"] ?? []) as Array<string>) {
        const property = properties[name]
        if (property === undefined) continue
        const value = [FIELDS[name]?.example, exampleOf(property)].find(
          (candidate) => candidate !== undefined && fits(candidate, property)
        )
        if (value !== undefined) example[name] = value
      }
      return example
    }
    case "null":
      return null
    default:
      // Any JSON (the feed's events, a node event's data).
      return schema["type"] === undefined && schema["$ref"] === undefined ? {} : undefined
  }
}

/** The string branches of a schema (itself, or those of its `anyOf`). */
const stringBranches = (schema: Json): ReadonlyArray<Json> =>
  Array.isArray(schema["anyOf"])
    ? schema["anyOf"].filter((s: Json) => s["type"] === "string")
    : schema["type"] === "string"
      ? [schema]
      : []

const formatted = (name: string, schema: Json) => {
  for (const branch of stringBranches(schema)) {
    if (DATE_TIME_FIELDS.has(name) && branch["format"] === undefined && branch["pattern"] === undefined)
      branch["format"] = "date-time"
    if (URI_FIELDS.has(name) && branch["format"] === undefined) branch["format"] = "uri"
    if (isUuidPattern(branch) && branch["format"] === undefined) branch["format"] = "uuid"
  }
}

/** `anyOf` without repeated branches; one branch left is the schema itself. */
const deduplicated = (schema: Json) => {
  if (!Array.isArray(schema["anyOf"])) return
  const seen = new Set<string>()
  schema["anyOf"] = schema["anyOf"].filter((branch: Json) => {
    const key = JSON.stringify(branch)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const FORMATS: Record<string, RegExp> = {
  "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  uri: /^[a-z][a-z0-9+.-]*:\S+$/
}

/** Whether a value is one the schema allows (the parts of JSON Schema the API's schemas use). */
const fits = (value: unknown, schema: Json): boolean => {
  if (Array.isArray(schema["anyOf"])) return schema["anyOf"].some((branch: Json) => fits(value, branch))
  if (
    Array.isArray(schema["enum"]) &&
    !schema["enum"].some((allowed: unknown) => JSON.stringify(allowed) === JSON.stringify(value))
  )
    return false
  switch (schema["type"]) {
    case "string":
      return (
        typeof value === "string" &&
        (schema["pattern"] === undefined || new RegExp(schema["pattern"]).test(value)) &&
        (schema["format"] === undefined || FORMATS[schema["format"]]?.test(value) !== false) &&
        (schema["maxLength"] === undefined || value.length <= schema["maxLength"]) &&
        (schema["minLength"] === undefined || value.length >= schema["minLength"])
      )
    case "integer":
    case "number":
      return (
        typeof value === "number" &&
        (schema["type"] === "number" || Number.isInteger(value)) &&
        (schema["minimum"] === undefined || value >= schema["minimum"]) &&
        (schema["maximum"] === undefined || value <= schema["maximum"])
      )
    case "boolean":
      return typeof value === "boolean"
    case "null":
      return value === null
    case "array":
      return (
        Array.isArray(value) &&
        (schema["items"] === undefined || value.every((item) => fits(item, schema["items"]))) &&
        (!Array.isArray(schema["prefixItems"]) ||
          schema["prefixItems"].every((item: Json, i: number) => fits(value[i], item))) &&
        (schema["minItems"] === undefined || value.length >= schema["minItems"]) &&
        (schema["maxItems"] === undefined || value.length <= schema["maxItems"])
      )
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value)
    default:
      return true
  }
}

const describe = (
  target: Json,
  doc: FieldDoc | undefined,
  schemaForExample: Json,
  exampleKey: "example" | "examples"
) => {
  if (target["description"] === undefined && doc !== undefined) target["description"] = doc.description
  if (target[exampleKey] !== undefined) return
  // The documented example where it fits this schema (a name's type can differ between the seeds' views).
  const example = [doc?.example, exampleOf(schemaForExample)].find(
    (candidate) => candidate !== undefined && fits(candidate, schemaForExample)
  )
  if (example !== undefined) target[exampleKey] = exampleKey === "examples" ? [example] : example
}

/** Every schema below `node`: fields described, formatted and exemplified, `anyOf` lists deduplicated. */
const walkSchemas = (node: unknown): void => {
  if (Array.isArray(node)) {
    for (const item of node) walkSchemas(item)
    return
  }
  if (typeof node !== "object" || node === null) return
  const schema = node as Json
  deduplicated(schema)
  if (typeof schema["properties"] === "object" && schema["properties"] !== null) {
    for (const [name, property] of Object.entries(schema["properties"] as Record<string, Json>)) {
      if (property["$ref"] !== undefined) continue
      formatted(name, property)
      describe(property, FIELDS[name], property, "examples")
    }
  }
  for (const value of Object.values(schema)) walkSchemas(value)
}

/** A parameter's schema as clients should type it, with its description and example. */
const parameter = (param: Json) => {
  const name = String(param["name"])
  const schema = (param["schema"] ?? {}) as Json
  const bounds = INTEGER_PARAMETERS[name]
  if (bounds !== undefined && isNumericString(schema)) param["schema"] = { type: "integer", ...bounds }
  else if (name === "exclude_meetings") param["schema"] = { type: "boolean" }
  else if (name === "start_time" || name === "end_time") {
    param["schema"] = {
      anyOf: [
        { type: "string", format: "date-time" },
        { type: "string", format: "date" },
        { type: "integer", minimum: 0, description: "Unix seconds" }
      ]
    }
  } else if (name === "start_date" || name === "end_date") param["schema"] = { ...schema, format: "date" }
  else if (name === "since") param["schema"] = { ...schema, format: "date-time" }
  else formatted(name, schema)
  describe(param, PARAMETERS[name], param["schema"] as Json, "example")
}

export const documented = (spec: Json): Json => {
  spec["servers"] ??= [{ url: "/", description: "This OnAir server" }]
  for (const [path, item] of Object.entries((spec["paths"] ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined
      if (operation === undefined) continue
      const doc = OPERATIONS[String(operation["operationId"])]
      if (doc !== undefined) {
        operation["summary"] ??= doc.summary
        operation["description"] ??= doc.description
      }
      for (const param of (operation["parameters"] ?? []) as Array<Json>) parameter(param)
      // Effect's own decoding notes for its client (the failure event's schema) mean nothing to others.
      for (const response of Object.values((operation["responses"] ?? {}) as Record<string, Json>)) {
        for (const media of Object.values((response["content"] ?? {}) as Record<string, Json>))
          delete media["x-effect-stream"]
      }
      // A redirect is the thumbnail's answer (to the image itself).
      if (path.endsWith("/thumbnail.jpg") && operation["responses"]?.["302"] !== undefined) {
        operation["responses"]["302"] = { description: "Found: `Location` is the thumbnail JPEG." }
        operation["responses"]["200"] ??= {
          description: "The thumbnail JPEG, when it is served here.",
          content: { "image/jpeg": { schema: { type: "string", contentMediaType: "image/jpeg" } } }
        }
      }
    }
  }
  walkSchemas(spec["paths"])
  walkSchemas(spec["components"])
  return spec
}
