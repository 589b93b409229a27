/**
 * One livestream: its live preview, ingest URL and key, current health with a chart of bitrate and fps,
 * its sessions with ingest and viewer seconds, its recordings and restream targets, and what an operator
 * does to it (rename, disable or enable, rotate the key, delete).
 */
import { type FormEvent, useEffect, useState } from "react"
import type { SessionHealthHistory } from "@onair/http-api"
import { isDisabled, type LivestreamDetail, messageOf, ofLivestream, ofSession, onair, type Session } from "./api.ts"
import { TimeChart } from "./Charts.tsx"
import { CopyButton } from "./CopyButton.tsx"
import { type Health, readStatus, type RenditionHealth, type StatusReading } from "./Health.ts"
import { useFeed } from "./LiveFeed.tsx"
import { Preview } from "./Preview.tsx"
import { navigate } from "./route.ts"
import { SecretValue } from "./SecretValue.tsx"
import { StatusBadge } from "./StatusBadge.tsx"
import { useLoad } from "./useLoad.ts"

type HealthHistory = typeof SessionHealthHistory.Type

/** Points on the chart at most (the API thins a longer session evenly). */
type LatencyMode = "standard" | "low" | "realtime"
const LATENCY_MODES: ReadonlyArray<readonly [LatencyMode, string]> = [
  ["standard", "Standard (HLS, 5-7 s)"],
  ["low", "Low (LL-HLS, about 2 s)"],
  ["realtime", "Realtime (WebRTC, under a second; LL-HLS for the rest)"]
]

/** DVR windows the dashboard offers (the API takes any whole number of seconds up to 4 hours). */
const DVR_WINDOWS: ReadonlyArray<readonly [number, string]> = [
  [0, "Off"],
  [300, "5 minutes"],
  [1800, "30 minutes"],
  [3600, "1 hour"],
  [14_400, "4 hours"]
]

const CHART_POINTS = 300
const HEALTH_EVERY_MS = 5000

const seconds = (n: number) => {
  const h = Math.floor(n / 3600)
  const m = Math.floor((n % 3600) / 60)
  return `${h > 0 ? `${h} h ` : ""}${m} min ${n % 60} s`
}
const when = (iso: string | null) => (iso === null ? "—" : new Date(iso).toLocaleString())

/**
 * The WHIP endpoint of the node that serves the livestream's playback (`…/hls/<id>/index.m3u8` becomes
 * `…/whip/<key>`): the main job's own, or a media node's.
 */
const whipUrl = (playbackUrl: string, key: string) => playbackUrl.replace(/\/hls\/[^/]+\/index\.m3u8$/, `/whip/${key}`)

const HealthFacts = ({
  health,
  renditions,
  keyframeInterval
}: {
  readonly health: Health
  readonly renditions: ReadonlyArray<RenditionHealth>
  readonly keyframeInterval: number | null | undefined
}) => (
  <dl className="facts" aria-label="Current health">
    <div>
      <dt>Resolution</dt>
      <dd data-testid="resolution">{health.videoResolution}</dd>
    </div>
    <div>
      <dt>Video codec</dt>
      <dd>{health.videoCodecId}</dd>
    </div>
    <div>
      <dt>Audio codec</dt>
      <dd>{health.audioCodecId}</dd>
    </div>
    <div>
      <dt>Video bitrate</dt>
      <dd>{Math.round(health.videoBitrate / 1000)} kbit/s</dd>
    </div>
    <div>
      <dt>Audio bitrate</dt>
      <dd>{Math.round(health.audioBitrate / 1000)} kbit/s</dd>
    </div>
    <div>
      <dt>Frame rate</dt>
      <dd>{health.videoFps} fps</dd>
    </div>
    <div>
      <dt>Keyframe interval</dt>
      <dd data-testid="keyframe-interval">{keyframeInterval == null ? "measuring…" : `${keyframeInterval} s`}</dd>
    </div>
    <div>
      <dt>Protocol</dt>
      <dd>{health.protocolType}</dd>
    </div>
    {renditions.length > 0 && (
      <div>
        <dt>Renditions</dt>
        <dd data-testid="renditions">{renditions.map((r) => `${r.name} ${r.videoResolution}`).join(", ")}</dd>
      </div>
    )}
  </dl>
)

export const LivestreamPage = ({ session, id }: { readonly session: Session; readonly id: string }) => {
  const detail = useLoad<LivestreamDetail>(
    async () =>
      (
        await onair(session).livestreams.getLivestreamSessionForLivestreamId({
          params: ofLivestream(session, id),
          query: {}
        })
      ).data,
    [session, id]
  )
  const recordings = useLoad(
    async () =>
      (await onair(session).recordings.getLivestreamRecordings({ params: ofLivestream(session, id), query: {} })).data
        .recordings,
    [session, id]
  )
  const restreams = useLoad(
    async () => (await onair(session).restreams.getRestreams({ params: ofLivestream(session, id) })).data.restreams,
    [session, id]
  )
  const [status, setStatus] = useState<StatusReading | undefined>(undefined)
  const [newName, setNewName] = useState<string | undefined>(undefined)
  const [newKey, setNewKey] = useState<string | undefined>(undefined)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [actionError, setActionError] = useState<string | undefined>(undefined)

  useFeed(
    (message) => (message.data as { readonly livestream_id?: unknown } | null)?.livestream_id === id,
    () => {
      detail.reload()
      recordings.reload()
    }
  )

  const livestream = detail.value?.livestream
  const live = livestream?.status === "LIVE"
  // The newest session's health over time, from its first sample.
  const latestSession = detail.value?.sessions[0]?.id
  const history = useLoad<HealthHistory | undefined>(
    () =>
      latestSession === undefined
        ? Promise.resolve(undefined)
        : onair(session)
            .livestreams.getLivestreamSessionHealth({
              params: ofSession(session, latestSession),
              query: { limit: CHART_POINTS }
            })
            .then((answer) => answer.data),
    [session, latestSession]
  )
  const samples = history.value?.samples ?? []

  // While it is live, its health now and its history every few seconds (`reload` is stable).
  const reloadHistory = history.reload
  useEffect(() => {
    if (!live) return
    let stopped = false
    const sample = async () => {
      try {
        const reading = await readStatus(session, id)
        if (stopped) return
        setStatus(reading)
        reloadHistory()
      } catch {
        // The next reading will tell.
      }
    }
    void sample()
    const timer = setInterval(sample, HEALTH_EVERY_MS)
    return () => {
      stopped = true
      clearInterval(timer)
    }
  }, [session, id, live, reloadHistory])

  const act = async (what: () => Promise<void>) => {
    setActionError(undefined)
    try {
      await what()
      detail.reload()
    } catch (caught) {
      setActionError(messageOf(caught))
    }
  }
  const rename = (event: FormEvent) => {
    event.preventDefault()
    void act(async () => {
      await onair(session).livestreams.updateLivestream({
        params: ofLivestream(session, id),
        payload: { name: newName ?? "" }
      })
      setNewName(undefined)
    })
  }
  /** A setting of the livestream's that changes from its next broadcast. */
  const change = (payload: { readonly latency_mode: LatencyMode } | { readonly dvr_window_seconds: number }) =>
    act(async () => {
      await onair(session).livestreams.updateLivestream({ params: ofLivestream(session, id), payload })
    })
  const toggle = () =>
    act(async () => {
      const params = { params: ofLivestream(session, id) }
      if (livestream !== undefined && isDisabled(livestream)) await onair(session).livestreams.enableLivestream(params)
      else await onair(session).livestreams.disableLivestream(params)
    })
  const rotate = () =>
    act(async () => {
      const rotated = await onair(session).livestreams.rotateStreamKey({ params: ofLivestream(session, id), query: {} })
      setNewKey(rotated.data.stream_key)
    })
  const remove = () =>
    act(async () => {
      await onair(session).livestreams.deleteLivestream({ params: ofLivestream(session, id) })
      navigate({ page: "livestreams" })
    })

  if (detail.error !== undefined && livestream === undefined)
    return (
      <p role="alert" className="error">
        {detail.error}
      </p>
    )
  if (livestream === undefined) return <p aria-busy="true">Loading…</p>
  const title = livestream.name ?? "(no name)"
  const recordingList = recordings.value ?? []
  const restreamList = restreams.value ?? []
  return (
    <article aria-labelledby="livestream-title">
      <p>
        <a href="#/livestreams">← Livestreams</a>
      </p>
      <h1 id="livestream-title">
        {title} <StatusBadge livestream={livestream} />
      </h1>
      {actionError === undefined ? null : (
        <p role="alert" className="error">
          {actionError}
        </p>
      )}

      <div className="actions row">
        {newName === undefined ? (
          <button type="button" onClick={() => setNewName(livestream.name ?? "")}>
            Rename
          </button>
        ) : (
          <form className="row" onSubmit={rename} aria-label="Rename">
            <label>
              New name
              <input
                name="new-name"
                value={newName}
                maxLength={255}
                onChange={(e) => setNewName(e.target.value)}
                // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to rename, so focus goes where they are about to type
                autoFocus
              />
            </label>
            <button type="submit">Save name</button>
            <button type="button" onClick={() => setNewName(undefined)}>
              Cancel
            </button>
          </form>
        )}
        <button type="button" onClick={toggle}>
          {isDisabled(livestream) ? "Enable" : "Disable"}
        </button>
        <button type="button" onClick={rotate}>
          Rotate stream key
        </button>
        {confirmDelete ? (
          // biome-ignore lint/a11y/useSemanticElements: an inline confirmation beside the buttons, not a form section: a fieldset would break the line
          <span className="confirm" role="group" aria-label="Confirm delete">
            Delete “{title}” for good?
            <button type="button" className="danger" onClick={remove}>
              Yes, delete it
            </button>
            <button type="button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </div>

      {newKey === undefined ? null : (
        <div className="notice" role="status">
          <p>The new stream key, shown this once (encoders with the old key can no longer publish):</p>
          <code data-testid="new-key">{newKey}</code> <CopyButton label="new stream key" value={newKey} />
          <button type="button" className="small" onClick={() => setNewKey(undefined)}>
            Done
          </button>
        </div>
      )}

      <div className="grid">
        <section aria-labelledby="preview-title" className="card">
          <h2 id="preview-title">Preview</h2>
          {live ? (
            <Preview url={livestream.playback_url} title={title} />
          ) : (
            <p className="placeholder">Not live: the preview starts when an encoder publishes.</p>
          )}
          <p>
            Playback URL <code className="wrap">{livestream.playback_url}</code>{" "}
            <CopyButton label="playback URL" value={livestream.playback_url} />
          </p>
          {livestream.composer === undefined ? null : (
            <p data-testid="composer">
              Composed from <code className="wrap">{livestream.composer.meeting_url}</code> at{" "}
              {livestream.composer.width}×{livestream.composer.height} · composer {livestream.composer.state}
            </p>
          )}
          {livestream.whep_url === undefined ? null : (
            <p>
              WebRTC playback (WHEP) <code className="wrap">{livestream.whep_url}</code>{" "}
              <CopyButton label="WHEP URL" value={livestream.whep_url} />
            </p>
          )}
          <p>
            <label>
              Latency{" "}
              <select
                value={livestream.latency_mode ?? "standard"}
                onChange={(event) => void change({ latency_mode: event.target.value as LatencyMode })}
              >
                {LATENCY_MODES.map(([mode, label]) => (
                  <option key={mode} value={mode}>
                    {label}
                  </option>
                ))}
              </select>
            </label>{" "}
            <label>
              DVR{" "}
              <select
                value={livestream.dvr_window_seconds ?? 0}
                onChange={(event) => void change({ dvr_window_seconds: Number(event.target.value) })}
              >
                {(DVR_WINDOWS.some(([seconds]) => seconds === (livestream.dvr_window_seconds ?? 0))
                  ? DVR_WINDOWS
                  : [
                      ...DVR_WINDOWS,
                      [livestream.dvr_window_seconds ?? 0, `${livestream.dvr_window_seconds} s`] as const
                    ]
                ).map(([seconds, label]) => (
                  <option key={seconds} value={seconds}>
                    {label}
                  </option>
                ))}
              </select>
            </label>{" "}
            <small>from the next broadcast</small>
          </p>
        </section>

        <section aria-labelledby="ingest-title" className="card">
          <h2 id="ingest-title">Ingest</h2>
          <p>
            Server <code className="wrap">{livestream.ingest_server}</code>{" "}
            <CopyButton label="ingest server" value={livestream.ingest_server} />
          </p>
          <p>
            Stream key <SecretValue label="stream key" value={livestream.stream_key} />
          </p>
          <p>
            WHIP (WebRTC: browsers, OBS){" "}
            <SecretValue label="WHIP URL" value={whipUrl(livestream.playback_url, livestream.stream_key)} />
          </p>
        </section>

        <section aria-labelledby="health-title" className="card wide">
          <h2 id="health-title">Health</h2>
          {!live ? (
            <p className="placeholder">No publisher connected.</p>
          ) : status?.health !== undefined ? (
            <HealthFacts
              health={status.health}
              renditions={status.renditions}
              keyframeInterval={samples.findLast((s) => s.keyframe_interval !== null)?.keyframe_interval}
            />
          ) : (
            <p className="placeholder">{status?.note ?? "Waiting for the first segment…"}</p>
          )}
          <TimeChart
            kind="line"
            title="Bitrate (kbit/s) and frame rate (fps) over the latest session"
            labels={samples.map((s) => new Date(s.sampled_at).toLocaleTimeString())}
            series={[
              {
                label: "kbit/s",
                values: samples.map((s) => Math.round((s.video_bitrate + s.audio_bitrate) / 1000)),
                color: "#2563eb"
              },
              { label: "fps", values: samples.map((s) => s.video_fps), color: "#c2410c", right: true }
            ]}
          />
        </section>
      </div>

      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
                <th scope="col">Ingest</th>
                <th scope="col">Viewers</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {(detail.value?.sessions ?? []).map((s) => (
                <tr key={s.id}>
                  <td>{when(s.started_time ?? s.invoked_time)}</td>
                  <td>{when(s.stopped_time)}</td>
                  <td>{seconds(s.ingest_seconds)}</td>
                  <td>{seconds(s.viewer_seconds)}</td>
                  <td>{s.err_message ?? ""}</td>
                </tr>
              ))}
              {(detail.value?.sessions.length ?? 0) === 0 ? (
                <tr>
                  <td colSpan={5}>No sessions yet.</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="recordings-title">
        <h2 id="recordings-title">Recordings</h2>
        {recordingList.length === 0 ? (
          <p>No recordings.</p>
        ) : (
          <ul>
            {recordingList.map((r) => (
              <li key={r.id}>
                {when(r.started_time)} · {r.status}
                {r.download_url !== null ? (
                  <>
                    {" "}
                    · <a href={r.download_url}>Download</a>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="restreams-title">
        <h2 id="restreams-title">Restream targets</h2>
        {restreamList.length === 0 ? (
          <p>No restream targets.</p>
        ) : (
          <ul>
            {restreamList.map((t) => (
              <li key={t.id}>
                {t.name} · {t.status} {t.enabled ? "" : "(off)"}
              </li>
            ))}
          </ul>
        )}
      </section>
    </article>
  )
}
