/** The app's livestream analytics: the totals, and per day over the chosen range as charts. */
import { useState } from "react"
import { onair, scope, type Session } from "./api.ts"
import { TimeChart } from "./Charts.tsx"
import { useLoad } from "./useLoad.ts"

const dayOf = (at: Date) => at.toISOString().slice(0, 10)
const minutes = (seconds: number) => Math.round(seconds / 6) / 10

export const AnalyticsPage = ({ session }: { readonly session: Session }) => {
  const [days, setDays] = useState(30)
  const end = new Date()
  const start = new Date(end.getTime() - (days - 1) * 86_400_000)
  const range = { start_time: dayOf(start), end_time: end.toISOString() }
  const overall = useLoad(
    async () =>
      (await onair(session).analytics.getLivestreamAnalyticsComplete({ params: scope(session), query: range })).data,
    [session, days]
  )
  const daywise = useLoad(
    async () =>
      (await onair(session).analytics.getLivestreamAnalyticsDaywise({ params: scope(session), query: range })).data,
    [session, days]
  )
  const list = daywise.value ?? []
  return (
    <section aria-labelledby="analytics-title">
      <h1 id="analytics-title">Analytics</h1>
      <label>
        Range
        <select name="range" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
        </select>
      </label>
      {(overall.error ?? daywise.error) ? (
        <p role="alert" className="error">
          {overall.error ?? daywise.error}
        </p>
      ) : null}
      <dl className="facts totals">
        <div>
          <dt>Sessions</dt>
          <dd>{overall.value?.count ?? "…"}</dd>
        </div>
        <div>
          <dt>Ingest</dt>
          <dd>{overall.value === undefined ? "…" : `${minutes(overall.value.total_ingest_seconds)} min`}</dd>
        </div>
        <div>
          <dt>Watched</dt>
          <dd>{overall.value === undefined ? "…" : `${minutes(overall.value.total_viewer_seconds)} min`}</dd>
        </div>
      </dl>
      <div className="grid">
        <div className="card">
          <TimeChart
            kind="bar"
            title="Sessions per day"
            labels={list.map((d) => d.date)}
            series={[{ label: "sessions", values: list.map((d) => d.count), color: "#2563eb" }]}
          />
        </div>
        <div className="card">
          <TimeChart
            kind="bar"
            title="Minutes per day"
            labels={list.map((d) => d.date)}
            series={[
              { label: "ingest min", values: list.map((d) => minutes(d.total_ingest_seconds)), color: "#0f766e" },
              { label: "watched min", values: list.map((d) => minutes(d.total_viewer_seconds)), color: "#c2410c" }
            ]}
          />
        </div>
      </div>
    </section>
  )
}
