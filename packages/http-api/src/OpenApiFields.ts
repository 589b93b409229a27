/**
 * What each parameter and each field of the API means, for the OpenAPI document: the seeds' words where
 * they say (001, 002, 000, 003), OnAir's otherwise, with an example. Fields are keyed by name: a name means
 * the same wherever the API uses it.
 */

export interface FieldDoc {
  readonly description: string
  readonly example?: unknown
}

const f = (description: string, example?: unknown): FieldDoc =>
  example === undefined ? { description } : { description, example }

const UUID = "78dd0b50-4147-4bb8-88d3-2ccc2e98bff0"
const AT = "2026-11-27T12:00:00.000Z"

/** Path, query and header parameters. */
export const PARAMETERS: { readonly [name: string]: FieldDoc } = {
  account_id: f("The account identifier tag.", "023e105f4ecef8ad9ca31a8372d0c353"),
  app_id: f("The app identifier tag.", "14a396e7-ca44-4937-bf1f-050a69118543"),
  livestream_id: f("The livestream ID.", UUID),
  session_id: f("The livestream session ID.", "3fd739f4-3c41-456e-bfba-6ebd51e16d2d"),
  meeting_id: f("The meeting ID.", "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"),
  recording_id: f("The recording ID (its session's ID).", "3fd739f4-3c41-456e-bfba-6ebd51e16d2d"),
  endpoint_id: f("The webhook ID.", "wh_4Fq9Zk2LmN8pR3sT6vW1xY5b"),
  message_id: f("The webhook message ID (`webhook-id`).", "0b9c6f2e-1d4a-4c8e-9f7b-2a6d5e3c1b0a"),
  restream_id: f("The restream target ID.", "rs_4Fq9Zk2LmN8pR3sT6vW1xY5b"),
  node_id: f("The media node's name.", "media-a"),
  token_id: f("The token's ID (`tok_…`).", "tok_hFDWjK4GzQcgmyvtSXZEkFFd"),
  page_no: f("The page number from which you want your page search results to be displayed.", 1),
  per_page: f("Number of results per page.", 10),
  sort_order: f("Specifies the sorting order for the results.", "ASC"),
  status: f("Only results with this status.", "LIVE"),
  start_time: f("The start of the time range: ISO-8601 or Unix seconds.", "2026-11-01T00:00:00Z"),
  end_time: f("The end of the time range: ISO-8601 or Unix seconds.", 1795780800),
  start_date: f("Start date in YYYY-MM-DD format.", "2026-11-01"),
  end_date: f("End date in YYYY-MM-DD format.", "2026-11-27"),
  exclude_meetings: f("Exclude the RealtimeKit meetings that are livestreamed.", true),
  filters: f("RealtimeKit's analytics filters. OnAir supports none yet: only an empty value is accepted.", ""),
  search: f("Search string that matches names (case-insensitive); a livestream also by its whole ID.", "studio"),
  after: f("Only what comes after this cursor (the previous page's `next_cursor`).", 0),
  limit: f("How many at most.", 100),
  grace_seconds: f(
    "OnAir's own: how long the key being replaced still publishes, in seconds (0, the default: it stops at once; at most 86400).",
    3600
  ),
  "last-event-id": f(
    "The `id` of the last event received: the stream goes on after it (browsers send it when they reconnect).",
    "1042"
  ),
  "idempotency-key": f(
    "Makes a create safe to retry: the same key with the same body gives the same answer.",
    "create-launch-2026-11-27"
  )
}

/** Bounds of the whole-number query parameters (their encoded form is a string of digits). */
export const INTEGER_PARAMETERS: { readonly [name: string]: { readonly minimum: number; readonly maximum?: number } } =
  {
    page_no: { minimum: 1 },
    per_page: { minimum: 1, maximum: 100 },
    after: { minimum: 0 },
    limit: { minimum: 1, maximum: 1000 },
    grace_seconds: { minimum: 0, maximum: 86_400 }
  }

/** Body and response fields. */
export const FIELDS: { readonly [name: string]: FieldDoc } = {
  success: f("Whether the request succeeded.", true),
  data: f("The answer."),
  samples: f("The samples, oldest first."),
  video_bitrate: f("Video bits per second.", 2_500_000),
  audio_bitrate: f("Audio bits per second.", 128_000),
  video_fps: f("Frames per second.", 30),
  keyframe_interval: f("Seconds between keyframes, measured from the stream's segments; null until measured.", 2),
  event: f("The server-sent event's name: the webhook event's type, or `keep-alive`.", "livestream.status.changed"),
  errors: f("What went wrong: one entry per broken rule."),
  code: f("Stable, for programs: `invalid_parameter`, `not_found`, `unauthorized`, `conflict`, …", "not_found"),
  message: f(
    "For people: what happened, naming the parameter or field at fault.",
    "livestream 78dd0b50-4147-4bb8-88d3-2ccc2e98bff0 was not found"
  ),
  paging: f("Where this page lies in the whole list."),
  start_offset: f("The position of the page's first item in the whole list.", 0),
  end_offset: f("The position of the page's last item in the whole list.", 9),
  total_count: f("How many items the whole list has.", 42),
  id: f("The ID of the object.", UUID),
  name: f("Name of the object.", "Livestreaming-Demo"),
  title: f("Title of the meeting.", "Weekly all-hands"),
  label: f("The operator's note on the token.", "deploy bot"),
  account_id: f("The account identifier tag.", "023e105f4ecef8ad9ca31a8372d0c353"),
  app: f("The app."),
  apps: f("The apps the token may act on; empty: every app of the account.", ["app_1"]),
  livestream: f("The livestream."),
  livestreams: f("The livestreams of this page."),
  livestream_id: f("The livestream's ID.", UUID),
  meeting_id: f("ID of the meeting; null for an independent livestream.", null),
  meetings: f("The meetings of this page."),
  session: f("The livestream session."),
  sessions: f("The livestream's sessions, newest first."),
  session_id: f("The livestream session's ID.", "3fd739f4-3c41-456e-bfba-6ebd51e16d2d"),
  sessionId: f("The session's ID.", "3fd739f4-3c41-456e-bfba-6ebd51e16d2d"),
  status: f("The object's status.", "LIVE"),
  disabled: f("Specifies if the livestream was disabled.", false),
  enabled: f("Set to true if it is active.", true),
  ingest_server: f(
    "The server URL to which the RTMP encoder should send the video and audio data.",
    "rtmps://live.example.com:1936/live/"
  ),
  stream_key: f(
    "Unique key for accessing each livestream.",
    "f26566285faca6fbe2e79a73a66rsrrsrrsr3cde23a2bb7dbc6c2c1761b98f4e4"
  ),
  streamKey: f(
    "Unique key for accessing the livestream.",
    "f26566285faca6fbe2e79a73a66rsrrsrrsr3cde23a2bb7dbc6c2c1761b98f4e4"
  ),
  port: f("The livestream's SRT listener port, from the deployment's range.", 10000),
  srt_ingest_url: f(
    "What an SRT caller connects to; its passphrase is the stream key.",
    "srt://onair.example.com:10000?passphrase=6a0f3e9c2b7d41f8a5c6e0b9d3f2a1c46a0f3e9c2b7d41f8a5c6e0b9d3f2a1c4&pbkeylen=16"
  ),
  stream_key_last4: f(
    "The last 4 characters of the target's stream key when it has more than 8, else empty (the key itself is never shown).",
    "9f4e"
  ),
  playback_url: f(
    "The web address that viewers can use to watch the livestream.",
    "https://onair.example.com/hls/78dd0b50-4147-4bb8-88d3-2ccc2e98bff0/index.m3u8"
  ),
  srt_url: f(
    "A signed link to the transcript as SubRip subtitles.",
    "https://onair.example.com/recordings/v1/3fd739f4-3c41-456e-bfba-6ebd51e16d2d/transcript.srt?expires=1795784400&signature=Wc8Lm2Np5Qr7St1Uv4Xy9Za3Bc6De0Fg"
  ),
  rtmp_url: f("The node's RTMP ingest address.", "rtmp://media-a.example.com:1935/live"),
  rtmps_url: f("The node's RTMPS ingest address; null without TLS.", "rtmps://media-a.example.com:1936/live"),
  rtmpLink: f("The RTMP URL an encoder publishes to.", "rtmp://live.example.com:1935/live/"),
  rtmpsLink: f("The RTMPS URL an encoder publishes to.", "rtmps://live.example.com:1936/live/"),
  url: f("The URL.", "https://hooks.example.com/onair"),
  created_at: f("Timestamp the object was created at. The time is returned in ISO format.", AT),
  updated_at: f("Timestamp the object was updated at. The time is returned in ISO format.", AT),
  invoked_time: f("Timestamp the object was invoked. The time is returned in ISO format.", AT),
  started_time: f("Timestamp the object was started. The time is returned in ISO format.", AT),
  stopped_time: f("Timestamp the object was stopped. The time is returned in ISO format.", AT),
  started_at: f("When it started, in ISO format.", AT),
  registered_at: f("When the node registered, in ISO format.", AT),
  heartbeat_at: f("The node's last heartbeat, in ISO format.", AT),
  lease_expires_at: f("When the node's lease runs out unless renewed, in ISO format.", AT),
  attempted_at: f("When the attempt was made, in ISO format.", AT),
  sampled_at: f("When the sample was taken (a relay's progress, a publisher's health), in ISO format.", AT),
  retry_at: f("When the next attempt is due, in ISO format; null when none is.", AT),
  live_since: f("Since when the relay has been live, in ISO format; null when it is not.", AT),
  since: f("Every failed message since this time (ISO-8601 or Unix seconds).", "2026-11-26T00:00:00Z"),
  at: f("When it happened, in ISO format.", AT),
  download_url_expiry: f("When the download link stops working, in ISO format.", AT),
  startTime: f("When the ingest session started, in ISO format.", AT),
  endTime: f("When the ingest session ended, in ISO format; null while it runs.", AT),
  scheduledStartTime: f("When the live event is scheduled to start; null when it is not.", null),
  rtmpExpiresAt: f("When the RTMP links stop working; null when they do not expire.", null),
  err_message: f("What went wrong in the session, if anything.", ""),
  ingest_seconds: f("The time duration for which the input was given or the meeting was streamed.", 3600),
  viewer_seconds: f("The total view time for which the viewers watched the stream.", 7200),
  count: f("Count of total livestreams.", 4),
  total_ingest_seconds: f("Total time duration for which the input was given or the meeting was streamed.", 3600),
  total_viewer_seconds: f("Total view time for which the viewers watched the stream.", 7200),
  date: f("The UTC day, YYYY-MM-DD.", "2026-11-27"),
  day: f("The UTC day, YYYY-MM-DD.", "2026-11-27"),
  day_stats: f("Day wise stats."),
  recording_stats: f("Recording statistics of an App during the range specified."),
  recording_count: f("Total number of recordings during the range specified.", 3),
  recording_minutes_consumed: f("Total recording minutes during the range specified.", 95.5),
  total_recordings: f("Total number of recordings for a specific day.", 1),
  total_recording_minutes: f("Total recording minutes for a specific day.", 30.2),
  session_stats: f("Session statistics of an App during the range specified."),
  sessions_count: f("Total number of sessions during the range specified.", 5),
  sessions_minutes_consumed: f("Total session minutes during the range specified.", 120.5),
  total_sessions: f("Total number of sessions for a specific day.", 2),
  total_session_minutes: f("Total session minutes for a specific day.", 40.1),
  video_config: f(
    "The size of the livestreaming video: `width` and `height` in pixels, each optional (one alone makes the other 16:9; neither: 1280x720).",
    { width: 1280, height: 720 }
  ),
  width: f("Width of the livestreaming video in pixels.", 1280),
  height: f("Height of the livestreaming video in pixels.", 720),
  reconnect_window_seconds: f("How long a session waits for its encoder to come back before it ends.", 60),
  record: f("Whether each session of the livestream is recorded.", true),
  record_on_start: f("Whether the meeting's livestream is recorded from its start.", false),
  live_stream_on_start: f("Whether the meeting is livestreamed from its start.", false),
  media_node: f("The media node the livestream is pinned to; null: any node.", null),
  media_nodes: f("Every media node."),
  node_id: f("The media node that holds it.", "media-a"),
  region: f("The node's region, as its operator named it.", "eu-west"),
  capacity: f("How many broadcasts the node takes at most.", 50),
  streams: f("Connections the control plane holds as live on the node.", 3),
  cpu: f("The machine's CPU in use, 0 to 1 of all its cores, at the last heartbeat.", 0.42),
  bandwidth_in: f("Bits per second from publishers, at the last heartbeat.", 6000000),
  bandwidth_out: f("Bits per second to players, at the last heartbeat.", 24000000),
  boot_id: f("Changes each time the node starts.", "b7f3c2d1"),
  composer_room: f(
    "Cores the node had left for meeting composers at its last heartbeat (0 when it runs none); null before one said. A meeting's start is placed only where its composer fits.",
    0.55
  ),
  state: f("The live event's state.", "Running"),
  extendedState: f("The live event's extended state.", "Running"),
  healthDescriptions: f("What the ingest looks like: empty, a message, the ingest as JSON, the renditions.", []),
  value: f("The status, one entry per live event."),
  encoderType: f(
    "The encoder's protocol in the seed's terms: `rtmp` (RTMP and RTMPS), `webrtc` (WHIP), `unknown` (SRT).",
    "rtmp"
  ),
  isRtmpSession: f("Whether the session's publisher came in over RTMP or RTMPS.", true),
  renditions: f(
    "OnAir's own: the adaptive ladder viewers get, `source` (the publisher's stream as it comes) and heights to transcode to (`1080p`, `720p`, `480p`, `360p`, `240p`; none above the source's); `[]` (the default) is the source alone.",
    ["source", "720p", "480p", "360p"]
  ),
  latency_mode: f(
    "OnAir's own: how far behind the publisher viewers watch at `playback_url`: `standard` (HLS, 2-second segments, about 5-7 s; the default), `low` (low-latency HLS with parts, blocking playlist reload and preload hints, about 2 s; players without LL-HLS play it as HLS) or `realtime` (WebRTC playback at `whep_url`, well under a second behind, with the same low-latency HLS at `playback_url` for players without WebRTC). A change takes effect from the next broadcast.",
    "low"
  ),
  whep_url: f(
    "OnAir's own, present when `latency_mode` is `realtime`: where a player POSTs its WHEP offer (`application/sdp`) for WebRTC playback; the answer is 201 with the SDP answer and a `Location` to DELETE to stop. H.264 video is passed through as the encoder sends it (no B-frames, for WebRTC), audio is Opus.",
    "https://live.example.com/hls/3fd739f4-3c41-456e-bfba-6ebd51e16d2d/whep"
  ),
  dvr_window_seconds: f(
    "OnAir's own: how many seconds of the broadcast its live playlist keeps for players to seek back in, 0 (the default) to 14400 (4 hours); 0 is the playlist's usual window. Served by OnAir's packager (as LL-HLS with `low`). A change takes effect from the next broadcast.",
    3600
  ),
  renditionsRefused: f(
    "OnAir's own: why the session's media node passes the source through instead of the `renditions` ladder (`no cpu budget`); null when it transcodes them or none were asked for.",
    null
  ),
  protocol: f(
    "OnAir's own: how the session's publisher came in (`rtmp`, `rtmps`, `webrtc` or `srt`); null before one did.",
    "rtmp"
  ),
  isScheduledPlayback: f("Whether the event plays a scheduled recording.", false),
  streamEndedReason: f("Why the stream ended; null while it runs.", null),
  recordings: f("The recordings of this page."),
  download_url: f(
    "A signed, expiring link to the recording's MP4 (byte ranges served).",
    "https://onair.example.com/recordings/v1/3fd739f4-3c41-456e-bfba-6ebd51e16d2d/recording.mp4?expires=1795784400&signature=q83vEjRWYzWkqJc7yXbM0yIBhZUwH6pT"
  ),
  poster_url: f(
    "A signed, expiring link to the recording's poster JPEG.",
    "https://onair.example.com/recordings/v1/3fd739f4-3c41-456e-bfba-6ebd51e16d2d/poster.jpg?expires=1795784400&signature=Zk4mV0T1cR2yLq8wN5sX7bP3dH6jA9uE"
  ),
  audio_download_url: f("A signed, expiring link to the recording's audio; null when there is none.", null),
  file_size: f("The MP4's size in bytes.", 20971520),
  size: f("Size in bytes.", 20971520),
  duration: f("Duration in seconds.", 5.69),
  recording_duration: f("The recording's duration in seconds.", 5.69),
  output_file_name: f("The MP4's file name.", "recording.mp4"),
  phase: f("OnAir's phase of the recording: recording, finalising, ready or failed.", "ready"),
  failure_reason: f("Why the recording failed; null unless it did.", null),
  resolution: f("Width x height of the video.", "1280x720"),
  video_codec: f("The video codec.", "h264"),
  audio_codec: f("The audio codec.", "aac"),
  sha256: f("The SHA-256 of the MP4, hex.", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
  storage: f("Where the files are: `local` (the node's disk) or `s3`.", "local"),
  transcript: f("The recording's transcript, once made: its links and engine."),
  txt_url: f(
    "A signed link to the transcript as text.",
    "https://onair.example.com/recordings/v1/3fd739f4-3c41-456e-bfba-6ebd51e16d2d/transcript.txt?expires=1795784400&signature=Hq2Lm7Ns4Pt9Vw1Xy6Zb3Cd8Ef5Gh0Jk"
  ),
  json_url: f(
    "A signed link to the transcript as JSON with word timings.",
    "https://onair.example.com/recordings/v1/3fd739f4-3c41-456e-bfba-6ebd51e16d2d/transcript.json?expires=1795784400&signature=Rt5Yu8Io2Pa7Sd4Fg9Hj1Kl6Zx3Cv0Bn"
  ),
  words: f("How many words the transcript has.", 120),
  engine: f("The engine that made it.", "pocketsphinx"),
  recording_retention_days: f("Days a recording is kept after it started; null: until its owner deletes it.", 30),
  slate_image_url: f(
    "OnAir's own: a PNG or JPEG (at most 5 MB) that the app's low-latency broadcasts show while their encoder is away inside its reconnect window; null (the default) is OnAir's own slate. The media node fetches it through the guarded outbound client (a public address, or one `ONAIR_OUTBOUND_ALLOWLIST` admits), and shows OnAir's own when it cannot.",
    "https://cdn.example.com/back-soon.png"
  ),
  meeting_url_template: f(
    "OnAir's own: where the app's meetings' composers find each meeting's page, `{meeting_id}` and `{livestream_id}` filled in; null (the default): a meeting is composed only when its start names a `meeting_url`. Its host is held to the guarded outbound rules (a public address, or one `ONAIR_OUTBOUND_ALLOWLIST` admits), as is every request the page makes.",
    "https://meet.example.com/rooms/{meeting_id}?role=recorder"
  ),
  composer: f(
    "OnAir's own, present for a meeting livestream its composer publishes: the page it opens (`meeting_url`), the picture's `width` and `height`, and its `state`: `starting` (the page loading), `running` (publishing), `reconnecting` (starting again inside the reconnect window) or `stopped`.",
    {
      meeting_url: "https://meet.example.com/rooms/town-hall?role=recorder",
      width: 1280,
      height: 720,
      state: "running"
    }
  ),
  meeting_url: f(
    "OnAir's own: the page the composer opens for this meeting (overrides the app's `meeting_url_template`). The composer, a browser on a media node, renders it at `video_config`'s size and 30 fps and publishes it as this livestream's broadcast; without one (and no template), an encoder publishes to the stream key as before.",
    "https://meet.example.com/rooms/town-hall?role=recorder"
  ),
  transcribe_recordings: f("Whether each ready recording gets a transcript.", false),
  restreams: f("The livestream's restream targets."),
  verify_tls: f("Whether an `rtmps://` target's certificate is checked against the system's CAs.", true),
  last_error: f("The last attempt's error; null when it had none.", null),
  reason: f("Why it is in this state.", "refused by the target"),
  attempt: f("The attempt's number, from 1.", 1),
  uptime_seconds: f("Seconds live in this session.", 120),
  progress: f("The relay's latest progress: bytes, bitrate, frames, speed."),
  bytes: f("Bytes sent so far.", 1048576),
  bitrate_kbps: f("Bitrate in kbit/s.", 2500),
  frames: f("Frames sent so far.", 3600),
  speed: f("Speed against real time.", 1),
  events: f("Events this webhook sends: OnAir's types, families (`ingest.*`), `*`, or RealtimeKit's names.", [
    "livestreaming.statusUpdate"
  ]),
  disabled_reason: f("`gone` when the receiver answered 410 and the webhook was turned off; null otherwise.", null),
  secret: f("The signing secret (Standard Webhooks), shown this once.", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
  previous_key_expires_at: f(
    "OnAir's own: until when the key the last rotation replaced still publishes (`grace_seconds`), in ISO format; null when it stopped at once.",
    "2026-12-08T12:00:00.000Z"
  ),
  overlap_seconds: f("How long the old secret keeps signing beside the new one (0: not at all).", 86400),
  requeued: f("How many messages were queued again.", 3),
  next_cursor: f("Pass as `after` for the next page; the same when there is nothing new.", "42"),
  message_id: f("The message's ID (`webhook-id`).", "0b9c6f2e-1d4a-4c8e-9f7b-2a6d5e3c1b0a"),
  latency_ms: f("How long the receiver took to answer, ms.", 35),
  error: f("What went wrong with the attempt; null when it succeeded.", null),
  response_excerpt: f("The start of the receiver's answer.", "ok"),
  position: f("The attempt's place in the feed.", "17"),
  type: f("The event's type.", "livestream.status.changed"),
  token: f(
    "The whole token: shown this once, stored only as a hash.",
    "onair_tok_hFDWjK4GzQcgmyvtSXZEkFFd_vtf65D7HNy3pW2EdxKpu4FQaHsnuR1lxqP6frdwds"
  )
}

/** Names of fields that hold a time in ISO format. */
export const DATE_TIME_FIELDS = new Set([
  "created_at",
  "updated_at",
  "invoked_time",
  "started_time",
  "stopped_time",
  "started_at",
  "registered_at",
  "heartbeat_at",
  "lease_expires_at",
  "attempted_at",
  "sampled_at",
  "retry_at",
  "live_since",
  "at",
  "download_url_expiry",
  "startTime",
  "endTime",
  "scheduledStartTime",
  "rtmpExpiresAt"
])

/** Names of fields and parameters that hold a URL. */
export const URI_FIELDS = new Set([
  "ingest_server",
  "playback_url",
  "srt_url",
  "srt_ingest_url",
  "rtmp_url",
  "rtmps_url",
  "rtmpLink",
  "rtmpsLink",
  "url",
  "download_url",
  "poster_url",
  "audio_download_url",
  "txt_url",
  "json_url"
])
