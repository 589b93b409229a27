/**
 * A local OTLP/HTTP receiver (JSON encoding) for tests: takes `POST /v1/traces` as a collector would and
 * keeps every span it was sent, flattened with its service's name.
 */
import { createServer } from "node:http"

export interface ReceivedSpan {
  readonly service: string
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly attributes: Readonly<Record<string, unknown>>
  /** Its start, epoch ms (to the microsecond), and how long it took. */
  readonly startMs: number
  readonly durationMs: number
}

export interface OtlpReceiver {
  readonly url: string
  readonly spans: Array<ReceivedSpan>
  readonly close: () => Promise<void>
}

const attributeValue = (value: any): unknown =>
  value?.stringValue ?? value?.intValue ?? value?.doubleValue ?? value?.boolValue ?? value?.arrayValue ?? undefined

export const startOtlpReceiver = async (): Promise<OtlpReceiver> => {
  const spans: Array<ReceivedSpan> = []
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/v1/traces") {
        response.writeHead(404).end()
        return
      }
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      for (const resource of body.resourceSpans ?? []) {
        const service = String(
          attributeValue((resource.resource?.attributes ?? []).find((a: any) => a.key === "service.name")?.value) ?? ""
        )
        for (const scope of resource.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              service,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId === "" ? undefined : span.parentSpanId,
              name: span.name,
              startMs: Number(BigInt(span.startTimeUnixNano ?? 0) / 1000n) / 1000,
              durationMs: Number(BigInt(span.endTimeUnixNano ?? 0) - BigInt(span.startTimeUnixNano ?? 0)) / 1e6,
              attributes: Object.fromEntries((span.attributes ?? []).map((a: any) => [a.key, attributeValue(a.value)]))
            })
          }
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
