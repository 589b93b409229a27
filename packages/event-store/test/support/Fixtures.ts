/**
 * Small builders for contract and concurrency tests.
 */
import type { AppendMetadata, NewEvent, Timestamp } from "@onair/core"

let counter = 0

/** Metadata with a new command id each call unless one is given. */
export const metadata = (commandId?: string): AppendMetadata => {
  const id = commandId ?? `cmd-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`
  return {
    commandId: id,
    causationId: id,
    correlationId: `corr-${id}`,
    actor: "test",
    at: 1_790_000_000_000 as Timestamp
  }
}

/** An event of about `bytes` bytes of JSON. */
export const event = (type: string, n: number, bytes = 120): NewEvent => ({
  type,
  data: { n, note: "x".repeat(Math.max(0, bytes - 40)), nested: { ok: true, list: [1, 2, 3] } }
})

export const events = (type: string, count: number, bytes?: number): ReadonlyArray<NewEvent> =>
  Array.from({ length: count }, (_, i) => event(type, i, bytes))

export const uniqueStream = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 12)}`
