/**
 * Webhook endpoints and their recent delivery attempts (status and latency), with resend of one message
 * and recovery of everything that failed in the last day. Attempts follow the event feed.
 */
import { type FormEvent, useState } from "react"
import type { AttemptRecord, WebhookEndpointRecord } from "@onair/http-api"
import { messageOf, ofEndpoint, onair, scope, type Session } from "./api.ts"
import { CopyButton } from "./CopyButton.tsx"
import { useFeed } from "./LiveFeed.tsx"
import { useLoad } from "./useLoad.ts"

type Endpoint = typeof WebhookEndpointRecord.Type
type Attempt = typeof AttemptRecord.Type

const ATTEMPTS_SHOWN = 20

const Attempts = ({ session, endpoint }: { readonly session: Session; readonly endpoint: Endpoint }) => {
  const attempts = useLoad<ReadonlyArray<Attempt>>(
    async () =>
      (
        await onair(session).webhooks.getWebhookAttempts({
          params: ofEndpoint(session, endpoint.id),
          query: { limit: 1000 }
        })
      ).data,
    [session, endpoint.id]
  )
  const [said, setSaid] = useState<string | undefined>(undefined)
  // A delivery follows each feed message; look again a moment later.
  useFeed(
    () => true,
    () => setTimeout(attempts.reload, 1000)
  )
  const resend = async (messageId: string) => {
    await onair(session).webhooks.resendWebhookMessage({
      params: { ...ofEndpoint(session, endpoint.id), message_id: messageId }
    })
    setSaid(`Message ${messageId} is queued again.`)
    attempts.reload()
  }
  const recover = async () => {
    const answer = await onair(session).webhooks.recoverWebhookMessages({
      params: ofEndpoint(session, endpoint.id),
      payload: { since: new Date(Date.now() - 86_400_000).toISOString() }
    })
    setSaid(`${answer.data.requeued} failed messages of the last 24 hours are queued again.`)
    attempts.reload()
  }
  const recent = [...(attempts.value ?? [])].reverse().slice(0, ATTEMPTS_SHOWN)
  return (
    <>
      <div className="row">
        <button type="button" onClick={recover}>
          Recover failed (24 h)
        </button>
        <span role="status" aria-live="polite">
          {said ?? ""}
        </span>
      </div>
      <div className="table-wrap">
        <table data-testid={`attempts-${endpoint.id}`}>
          <caption className="visually-hidden">Recent delivery attempts to {endpoint.name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Outcome</th>
              <th scope="col">Latency</th>
              <th scope="col">Message</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {recent.map((a) => (
              <tr key={`${a.message_id}-${a.attempt}`} data-testid="attempt">
                <td>{new Date(a.attempted_at).toLocaleString()}</td>
                <td>
                  <span className={`badge ${a.status !== null && a.status < 300 ? "ok" : "bad"}`}>
                    {a.status ?? "no answer"}
                  </span>
                  {a.error === null ? null : <span className="muted"> {a.error}</span>}
                </td>
                <td>{a.latency_ms} ms</td>
                <td>
                  <code>{a.message_id.slice(0, 8)}</code> #{a.attempt}
                </td>
                <td>
                  <button type="button" className="small" onClick={() => void resend(a.message_id)}>
                    Resend
                  </button>
                </td>
              </tr>
            ))}
            {recent.length === 0 ? (
              <tr>
                <td colSpan={5}>No attempts yet.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  )
}

export const WebhooksPage = ({ session }: { readonly session: Session }) => {
  const endpoints = useLoad<ReadonlyArray<Endpoint>>(
    async () => (await onair(session).webhooks.getWebhooks({ params: scope(session) })).data,
    [session]
  )
  const [url, setUrl] = useState("")
  const [secret, setSecret] = useState<string | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const create = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    try {
      const created = await onair(session).webhooks.createWebhook({
        params: scope(session),
        payload: { url: url.trim() }
      })
      setSecret(created.data.secret)
      setUrl("")
      endpoints.reload()
    } catch (caught) {
      setError(messageOf(caught))
    }
  }
  const remove = async (endpoint: Endpoint) => {
    await onair(session).webhooks.deleteWebhook({ params: ofEndpoint(session, endpoint.id) })
    endpoints.reload()
  }
  return (
    <section aria-labelledby="webhooks-title">
      <h1 id="webhooks-title">Webhooks</h1>
      <form className="row" onSubmit={create} aria-label="Add a webhook endpoint">
        <label>
          Endpoint URL
          <input
            name="url"
            type="url"
            required
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://example.com/onair"
          />
        </label>
        <button type="submit">Add endpoint</button>
      </form>
      {error === undefined ? null : (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {secret === undefined ? null : (
        <div className="notice" role="status">
          <p>The endpoint's signing secret, shown this once:</p>
          <code>{secret}</code> <CopyButton label="signing secret" value={secret} />
          <button type="button" className="small" onClick={() => setSecret(undefined)}>
            Done
          </button>
        </div>
      )}
      {endpoints.error === undefined ? null : (
        <p role="alert" className="error">
          {endpoints.error}
        </p>
      )}
      {(endpoints.value ?? []).length === 0 && endpoints.value !== undefined ? <p>No endpoints yet.</p> : null}
      {(endpoints.value ?? []).map((endpoint) => (
        <section key={endpoint.id} className="card" aria-label={`Endpoint ${endpoint.name}`}>
          <h2>
            {endpoint.name}{" "}
            {endpoint.enabled ? (
              <span className="badge ok">ON</span>
            ) : (
              <span className="badge bad">
                OFF{endpoint.disabled_reason === null ? "" : `: ${endpoint.disabled_reason}`}
              </span>
            )}
          </h2>
          <p>
            <code className="wrap">{endpoint.url}</code> · events {endpoint.events.join(", ")}
          </p>
          <Attempts session={session} endpoint={endpoint} />
          <p>
            <button type="button" className="danger small" onClick={() => void remove(endpoint)}>
              Remove endpoint
            </button>
          </p>
        </section>
      ))}
    </section>
  )
}
