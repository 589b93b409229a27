/**
 * Sign in with an API token: the account it is for, then one of the apps the token may act on (the apps
 * list answers only those). Nothing is kept but in this tab's session storage.
 */
import { type FormEvent, useState } from "react"
import type { AccountId } from "@onair/core"
import { clientOf, isUnauthorized, messageOf, type Session } from "./api.ts"

interface App {
  readonly id: string
  readonly name: string
}

export const SignIn = ({ onSignedIn }: { readonly onSignedIn: (session: Session) => void }) => {
  const [accountId, setAccountId] = useState("")
  const [token, setToken] = useState("")
  const [apps, setApps] = useState<ReadonlyArray<App> | undefined>(undefined)
  const [appId, setAppId] = useState("")
  const [error, setError] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)

  const findApps = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    setBusy(true)
    try {
      const found = await clientOf(token.trim()).apps.getApps({
        params: { account_id: accountId.trim() as AccountId },
        query: { per_page: 100 }
      })
      const list = found.data
      if (list.length === 0) setError("This token may act on no app of this account yet.")
      else if (list.length === 1) onSignedIn({ accountId: accountId.trim(), appId: list[0]!.id, token: token.trim() })
      else {
        setApps(list)
        setAppId(list[0]!.id)
      }
    } catch (caught) {
      setError(isUnauthorized(caught) ? "The token was refused." : messageOf(caught))
    } finally {
      setBusy(false)
    }
  }

  const choose = (event: FormEvent) => {
    event.preventDefault()
    onSignedIn({ accountId: accountId.trim(), appId, token: token.trim() })
  }

  return (
    <main className="sign-in">
      <h1>OnAir</h1>
      {apps === undefined ? (
        <form onSubmit={findApps} aria-label="Sign in">
          <label>
            Account ID
            <input
              name="account"
              required
              autoComplete="username"
              value={accountId}
              onChange={(e) => setAccountId(e.target.value)}
            />
          </label>
          <label>
            API token
            <input
              name="token"
              type="password"
              required
              autoComplete="current-password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </label>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
          <p className="hint">
            Make a token with <code>./onair tokens create --account &lt;id&gt; --app &lt;id&gt;</code>. It stays in this
            tab only.
          </p>
        </form>
      ) : (
        <form onSubmit={choose} aria-label="Choose an app">
          <label>
            App
            <select name="app" value={appId} onChange={(e) => setAppId(e.target.value)}>
              {apps.map((app) => (
                <option key={app.id} value={app.id}>
                  {app.name} ({app.id})
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Open</button>
        </form>
      )}
      {error === undefined ? null : (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </main>
  )
}
