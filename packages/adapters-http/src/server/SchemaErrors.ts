/**
 * Bad input answers in the seeds' error envelope, naming what is wrong: the HTTP API layer turns a
 * parameter or body that does not decode into an empty 400; the request guard answers it with
 * `{"success": false, "errors": [{"code": "invalid_<where>", "message": "<field>: <problem>"}]}`.
 */
import { SchemaIssue } from "effect"
import type { HttpApiError } from "effect/http-api"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

const codeFor: Record<string, string> = {
  Params: "invalid_path_parameter",
  Query: "invalid_query_parameter",
  Payload: "invalid_body",
  Body: "invalid_body",
  Headers: "invalid_header"
}

const where = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined) =>
  (path ?? []).map((segment) => (typeof segment === "object" ? String(segment.key) : String(segment))).join(".")

/** The envelope for a decoding failure, one entry per problem. */
export const describe = (error: HttpApiError.HttpApiSchemaError) => {
  const issues = formatter(error.cause.issue).issues
  const code = codeFor[error.kind] ?? "invalid_request"
  return {
    success: false as const,
    errors:
      issues.length === 0
        ? [
            {
              code,
              message: error.kind === "Payload" ? "the body is not valid JSON of the expected shape" : error.kind
            }
          ]
        : issues.map((issue) => {
            const field = where(issue.path)
            return { code, message: field === "" ? issue.message : `${field}: ${issue.message}` }
          })
  }
}
