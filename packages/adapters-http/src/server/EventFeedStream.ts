/**
 * The webhook event feed as server-sent events: the feed read in batches from a cursor, each event named
 * by its type, the batch's last event carrying the cursor as its `id` (a client that reconnects with
 * `Last-Event-ID` goes on from there, at least once), and a `keep-alive` event when nothing came for
 * `KEEP_ALIVE`, so proxies and clients see a live connection. Reads are polled: the feed is a table the
 * outbox writes, whichever process runs it.
 *
 * The response's headers and a first comment line go out at once: a client (the dashboard) knows it is
 * connected, and a proxy sees bytes, before the first event, however quiet the app is.
 */
import type { WebhookEndpoints, WebhookScope } from "@onair/core"
import { Duration, Effect, Option, Stream } from "effect"
import { Sse } from "effect/encoding"
import { HttpServerResponse } from "effect/http"

export const POLL = Duration.millis(500)

/** Clients following the feed now, in this process (`onair_event_stream_followers`). */
let following = 0
export const followers = (): number => following
export const KEEP_ALIVE = Duration.seconds(15)
const BATCH = 100

export interface FeedEvent {
  readonly id?: string
  readonly event: string
  readonly data: string
}

const typeOf = (message: unknown): string => {
  const type =
    typeof message === "object" && message !== null ? (message as { readonly type?: unknown }).type : undefined
  return typeof type === "string" && type !== "" ? type : "message"
}

interface Cursor {
  readonly after: number
  readonly idlePolls: number
}

/** The scope's feed from `after` on, for as long as the client listens. */
export const feedEvents = (
  webhooks: WebhookEndpoints["Service"],
  scope: WebhookScope,
  after: number
): Stream.Stream<FeedEvent> => {
  const idleLimit = Math.max(1, Math.round(Duration.toMillis(KEEP_ALIVE) / Duration.toMillis(POLL)))
  const pages = Stream.paginate<Cursor, FeedEvent>({ after, idlePolls: 0 }, (cursor) =>
    Effect.gen(function* () {
      if (cursor.idlePolls > 0) yield* Effect.sleep(POLL)
      const page = yield* Effect.orDie(webhooks.feed(scope, { after: cursor.after, limit: BATCH }))
      if (page.events.length === 0) {
        const idle = cursor.idlePolls + 1
        return idle % idleLimit === 0
          ? ([[{ event: "keep-alive", data: "" }], Option.some({ after: cursor.after, idlePolls: idle })] as const)
          : ([[], Option.some({ after: cursor.after, idlePolls: idle })] as const)
      }
      const events = page.events.map(
        (message, index): FeedEvent => ({
          ...(index === page.events.length - 1 ? { id: page.next_cursor } : {}),
          event: typeOf(message),
          data: JSON.stringify(message)
        })
      )
      // A full batch: more may be waiting, so read again at once.
      return [
        events,
        Option.some({ after: Number(page.next_cursor), idlePolls: page.events.length === BATCH ? 0 : 1 })
      ] as const
    })
  )
  // Counted while it runs: a client that goes away ends it (the server interrupts the response when its
  // connection closes, noticed at the latest by the next keep-alive write).
  return Stream.unwrap(
    Effect.sync(() => {
      following++
      return pages.pipe(Stream.ensuring(Effect.sync(() => following--)))
    })
  )
}

/** Said first, before any event: an SSE comment, which clients skip. */
export const CONNECTED = ": connected\n\n"

/** The feed as the response: headers and `CONNECTED` at once, then each event as SSE. */
export const feedResponse = (webhooks: WebhookEndpoints["Service"], scope: WebhookScope, after: number) => {
  const encoder = new TextEncoder()
  const events = Stream.map(feedEvents(webhooks, scope, after), (event) =>
    encoder.encode(Sse.encoder.write({ _tag: "Event", ...event, id: event.id }))
  )
  return HttpServerResponse.stream(Stream.concat(Stream.make(encoder.encode(CONNECTED)), events), {
    contentType: "text/event-stream",
    headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
  })
}
