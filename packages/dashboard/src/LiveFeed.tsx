/** One connection to the app's event feed per tab, shared by every page that wants to hear of changes. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react"
import type { Session } from "./api.ts"
import { type FeedMessage, type FeedState, followFeed } from "./feed.ts"

type Listener = (message: FeedMessage) => void

interface Feed {
  readonly state: FeedState
  readonly subscribe: (listener: Listener) => () => void
}

const FeedContext = createContext<Feed>({ state: "offline", subscribe: () => () => undefined })

export const LiveFeedProvider = ({
  session,
  children
}: {
  readonly session: Session
  readonly children: ReactNode
}) => {
  const listeners = useRef(new Set<Listener>())
  const [state, setState] = useState<FeedState>("connecting")
  useEffect(
    () =>
      followFeed(
        session,
        (message) => {
          for (const listener of listeners.current) listener(message)
        },
        setState
      ),
    [session]
  )
  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener)
    return () => void listeners.current.delete(listener)
  }, [])
  return <FeedContext.Provider value={{ state, subscribe }}>{children}</FeedContext.Provider>
}

export const useFeedState = () => useContext(FeedContext).state

/** Calls `onMessage` for each feed message `accept` takes, while the component is mounted. */
export const useFeed = (accept: (message: FeedMessage) => boolean, onMessage: (message: FeedMessage) => void) => {
  const { subscribe } = useContext(FeedContext)
  const latest = useRef({ accept, onMessage })
  latest.current = { accept, onMessage }
  useEffect(
    () =>
      subscribe((message) => {
        if (latest.current.accept(message)) latest.current.onMessage(message)
      }),
    [subscribe]
  )
}
