/**
 * The app's live event feed (`GET …/webhooks/events/stream`, server-sent events) read with fetch, so the
 * token goes in a header rather than the URL (EventSource cannot send one). Reconnects with
 * `Last-Event-ID` after a drop, waiting a little longer each time up to 10 s.
 */
import { appPath, type Session } from "./api.ts"

export interface FeedMessage {
  readonly id?: string
  readonly type: string
  /** The event's `data` (each type has its own; what the dashboard reads of it is checked where it is read). */
  readonly data: unknown
}

export type FeedState = "connecting" | "live" | "offline"

export const followFeed = (
  session: Session,
  onMessage: (message: FeedMessage) => void,
  onState: (state: FeedState) => void
): (() => void) => {
  const controller = new AbortController()
  let lastEventId: string | undefined
  let delay = 500

  const dispatch = (block: string) => {
    let event = "message"
    let id: string | undefined
    const data: Array<string> = []
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue
      const colon = line.indexOf(":")
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "")
      if (field === "event") event = value
      else if (field === "id") id = value
      else if (field === "data") data.push(value)
    }
    if (id !== undefined) lastEventId = id
    if (event === "keep-alive" || data.length === 0) return
    try {
      const message = JSON.parse(data.join("\n"))
      onMessage({ ...(id === undefined ? {} : { id }), type: event, data: message?.data ?? message })
    } catch {
      // Not JSON: not one of the feed's messages.
    }
  }

  const connect = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      onState("connecting")
      try {
        const response = await fetch(`${appPath(session)}/webhooks/events/stream`, {
          headers: {
            authorization: `Bearer ${session.token}`,
            accept: "text/event-stream",
            ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId })
          },
          signal: controller.signal
        })
        if (!response.ok || response.body === null) throw new Error(`feed answered ${response.status}`)
        onState("live")
        delay = 500
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ""
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value.replace(/\r\n?/g, "\n")
          let end = buffer.indexOf("\n\n")
          while (end !== -1) {
            dispatch(buffer.slice(0, end))
            buffer = buffer.slice(end + 2)
            end = buffer.indexOf("\n\n")
          }
        }
      } catch {
        if (controller.signal.aborted) return
      }
      onState("offline")
      await new Promise((resolve) => setTimeout(resolve, delay))
      delay = Math.min(delay * 2, 10_000)
    }
  }
  void connect()
  return () => controller.abort()
}
