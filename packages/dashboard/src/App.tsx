/** The dashboard's shell: sign-in, then the navigation and the page the URL's fragment names. */
import { useState } from "react"
import { AnalyticsPage } from "./AnalyticsPage.tsx"
import { loadSession, saveSession, type Session } from "./api.ts"
import { LiveFeedProvider, useFeedState } from "./LiveFeed.tsx"
import { LivestreamPage } from "./LivestreamPage.tsx"
import { LivestreamsPage } from "./LivestreamsPage.tsx"
import { type Route, useRoute } from "./route.ts"
import { SignIn } from "./SignIn.tsx"
import { WebhooksPage } from "./WebhooksPage.tsx"

const FeedBadge = () => {
  const state = useFeedState()
  return (
    <span className={`feed feed-${state}`} role="status" aria-live="polite">
      {state === "live" ? "Live updates on" : state === "connecting" ? "Connecting…" : "Live updates paused"}
    </span>
  )
}

const NavLink = ({
  href,
  current,
  children
}: {
  readonly href: string
  readonly current: boolean
  readonly children: string
}) => (
  <a href={href} aria-current={current ? "page" : undefined}>
    {children}
  </a>
)

const Page = ({ route, session }: { readonly route: Route; readonly session: Session }) => {
  switch (route.page) {
    case "livestreams":
      return <LivestreamsPage session={session} />
    case "livestream":
      return <LivestreamPage session={session} id={route.id} />
    case "webhooks":
      return <WebhooksPage session={session} />
    case "analytics":
      return <AnalyticsPage session={session} />
  }
}

export const App = () => {
  const [session, setSession] = useState<Session | undefined>(loadSession)
  const route = useRoute()
  if (session === undefined) {
    return (
      <SignIn
        onSignedIn={(signedIn) => {
          saveSession(signedIn)
          setSession(signedIn)
        }}
      />
    )
  }
  const signOut = () => {
    saveSession(undefined)
    setSession(undefined)
  }
  return (
    <LiveFeedProvider session={session}>
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="top">
        <strong className="brand">OnAir</strong>
        <nav aria-label="Main">
          <NavLink href="#/livestreams" current={route.page === "livestreams" || route.page === "livestream"}>
            Livestreams
          </NavLink>
          <NavLink href="#/webhooks" current={route.page === "webhooks"}>
            Webhooks
          </NavLink>
          <NavLink href="#/analytics" current={route.page === "analytics"}>
            Analytics
          </NavLink>
          <a href="/docs">API reference</a>
        </nav>
        <span className="who">
          <span title="account / app">
            {session.accountId} / {session.appId}
          </span>
          <FeedBadge />
          <button type="button" className="small" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="content" tabIndex={-1}>
        <Page route={route} session={session} />
      </main>
    </LiveFeedProvider>
  )
}
