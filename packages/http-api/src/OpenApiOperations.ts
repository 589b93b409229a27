/**
 * Each operation's summary and description in the OpenAPI document: the seeds' words for the seeds'
 * operations (001), OnAir's for its own. Keyed by operation id (`group.endpoint`).
 */
export interface OperationDoc {
  readonly summary: string
  readonly description: string
}

const doc = (summary: string, description: string): OperationDoc => ({ summary, description })

export const OPERATIONS: { readonly [operationId: string]: OperationDoc } = {
  "livestreams.createIndependentLivestream": doc(
    "Create an independent livestream",
    "Creates a livestream for the given App ID and returns ingest server, stream key, and playback URL. You can pass custom input to the ingest server and stream key, and freely distribute the content using the playback URL on any player that supports HLS/LHLS."
  ),
  "livestreams.getAllLivestreams": doc(
    "Fetch all livestreams",
    "Returns details of livestreams associated with the given App ID. It includes livestreams created by your App and RealtimeKit meetings that are livestreamed by your App. If you only want details of livestreams created by your App and not RealtimeKit meetings, you can use the `exclude_meetings` query parameter."
  ),
  "livestreams.getLivestreamSessionDetailsForSessionId": doc(
    "Fetch livestream session details using a session ID",
    "Returns livestream session details for the given livestream session ID."
  ),
  "livestreams.getActiveLivestreamsForLivestreamId": doc(
    "Fetch active livestream session details",
    "Returns details of all active livestreams for the given livestream ID: the livestream and its session in progress."
  ),
  "livestreams.getLivestreamSessionForLivestreamId": doc(
    "Fetch livestream details using livestream ID",
    "Returns details of a livestream with sessions for the given livestream ID, newest session first, paged."
  ),
  "livestreams.updateLivestream": doc(
    "Update a livestream",
    "Changes a livestream's name, reconnect window, broadcast limits, placement or recording; a field left out keeps its value."
  ),
  "livestreams.deleteLivestream": doc(
    "Delete a livestream",
    "Deletes a livestream that is not broadcasting: its key stops working and it leaves lists; its sessions stay in analytics."
  ),
  "livestreams.disableLivestream": doc(
    "Disable a livestream",
    "Refuses new publishes to the livestream's key and ends a broadcast in progress."
  ),
  "livestreams.enableLivestream": doc("Enable a livestream", "Accepts publishes to the livestream's key again."),
  "livestreams.rotateStreamKey": doc(
    "Rotate a livestream's stream key",
    "Issues a new stream key, shown in this answer; the old key stops working at once, or after `grace_seconds` (up to 24 h) so an encoder on it can reconnect meanwhile (`previous_key_expires_at` says until when). A publish with it afterwards is refused as `stream key expired`."
  ),
  "livestreams.getStatus": doc(
    "Get a livestream's live-event status",
    "The live event `getStatus` view (seed 003): `state`, `extendedState` and `healthDescriptions` of the livestream's current broadcast."
  ),
  "livestreams.getIngest": doc(
    "Get a livestream's ingest session status",
    "The ingest session view (seed 000): encoder type, status 0 to 5, RTMP and RTMPS links, stream key, size and ended reason."
  ),
  "livestreams.getLivestreamThumbnail": doc(
    "Get a livestream's thumbnail",
    "Redirects (302) to a JPEG of the livestream's latest frame while it is live."
  ),
  "recordings.getRecordings": doc(
    "Fetch all recordings for an App",
    "Returns the App's recordings, newest first unless `sort_order` says otherwise, filtered by livestream, status and start time, paged."
  ),
  "recordings.getLivestreamRecordings": doc(
    "Fetch a livestream's recordings",
    "Returns the recordings of a livestream's sessions, newest first, paged."
  ),
  "recordings.getRecording": doc(
    "Fetch a recording",
    "Returns a recording: status, duration, size, resolution, codecs, and signed, expiring download and playback links."
  ),
  "recordings.deleteRecording": doc(
    "Delete a recording",
    "Deletes a recording that is no longer being written; its files are removed and its links stop working."
  ),
  "apps.getApps": doc(
    "Fetch all apps",
    "Fetch all apps for your account, paged, searched by name and sorted by creation time."
  ),
  "apps.createApp": doc("Create an app", "Create new app for your account; it takes a token for the whole account."),
  "appSettings.getAppSettings": doc(
    "Get app settings",
    "The App's recording retention (days) and whether its recordings are transcribed."
  ),
  "appSettings.updateAppSettings": doc(
    "Update app settings",
    "Changes the App's recording retention or transcripts; a field left out keeps its value."
  ),
  "restreams.getRestreams": doc(
    "Fetch a livestream's restream targets",
    "Each target's status, last error, uptime and bytes sent."
  ),
  "restreams.createRestream": doc(
    "Add a restream target",
    "Sends the livestream on to another platform (`rtmp://` or `rtmps://`) while it is live; at most 10 per livestream."
  ),
  "restreams.getRestream": doc(
    "Fetch a restream target",
    "One target's settings, status, last error, uptime and progress."
  ),
  "restreams.updateRestream": doc(
    "Update a restream target",
    "Changes a target's URL, key, name, TLS check or whether it is enabled."
  ),
  "restreams.deleteRestream": doc("Delete a restream target", "Stops the target's relay if it runs, and removes it."),
  "srt.getSrtIngest": doc(
    "Fetch a livestream's SRT ingest",
    "Its SRT port and the URL an SRT caller connects to (the stream key as the passphrase); 404 while SRT is off for it."
  ),
  "srt.openSrtIngest": doc(
    "Turn SRT ingest on",
    "Gives the livestream a port of the deployment's SRT range (the same one again if it has one); the media nodes that may take its publishers listen there."
  ),
  "srt.closeSrtIngest": doc("Turn SRT ingest off", "Gives the livestream's SRT port back; its listeners stop."),
  "analytics.getLivestreamAnalyticsComplete": doc(
    "Fetch complete analytics data for your livestreams",
    "Returns livestream analytics for the specified time range."
  ),
  "analytics.getLivestreamAnalyticsDaywise": doc(
    "Fetch day-wise analytics data for your livestreams",
    "Returns livestream analytics per UTC day for the specified time range: sessions, ingest seconds and viewer seconds."
  ),
  "analytics.getOrgAnalytics": doc(
    "Fetch day-wise session and recording analytics data for an App",
    "Returns day-wise session and recording analytics data of an App for the specified time range start_date to end_date. If start_date and end_date are not provided, the default time range is set from 30 days ago to the current date."
  ),
  "meetings.createMeeting": doc("Create a meeting", "Creates a meeting of the App, which can be livestreamed."),
  "meetings.getMeetings": doc("Fetch all meetings", "Returns the App's meetings, paged."),
  "meetings.getMeeting": doc("Fetch a meeting", "Returns a meeting of the App."),
  "meetings.startLivestreamingAMeeting": doc(
    "Start livestreaming a meeting",
    "Starts livestream of a meeting associated with the given meeting ID. Retreive the meeting ID using the `Create a meeting` API."
  ),
  "meetings.stopLivestreamingAMeeting": doc(
    "Stop livestreaming a meeting",
    "Stops the active livestream of a meeting associated with the given meeting ID. Retreive the meeting ID using the `Create a meeting` API."
  ),
  "meetings.getMeetingActiveLivestreams": doc(
    "Fetch active livestreams for a meeting",
    "Returns details of all active livestreams for the given meeting ID."
  ),
  "webhooks.createWebhook": doc(
    "Add a webhook",
    "Adds a new webhook to an App; its signing secret is in this answer only. Events are OnAir's types, families (`ingest.*`), `*`, or RealtimeKit's names."
  ),
  "webhooks.getWebhooks": doc("Fetch all webhooks", "Returns details of all webhooks for an App."),
  "webhooks.getWebhookEvents": doc(
    "Read the event feed",
    "The App's webhook events after a cursor, oldest first, as they were sent."
  ),
  "livestreams.getLivestreamSessionHealth": doc(
    "Fetch a session's health over time",
    "The publisher's health as it was sampled during the session (every few seconds while connected), oldest first: resolution, bitrates, frame rate and keyframe interval. Long sessions are thinned evenly to `limit` samples (1000 by default), the newest always kept. Samples are kept for 7 days."
  ),
  "webhooks.streamWebhookEvents": doc(
    "Follow the event feed",
    "The App's webhook events as server-sent events (`text/event-stream`) as they are stored: after `Last-Event-ID` or `after`, or from now on when neither is given. The last event of each batch carries the cursor as its `id`; `keep-alive` events come when nothing else has for 15 s."
  ),
  "webhooks.getWebhook": doc("Fetch a webhook", "Returns webhook details for the given webhook ID."),
  "webhooks.updateWebhook": doc(
    "Edit a webhook",
    "Edits the webhook details for the given webhook ID; a field left out keeps its value."
  ),
  "webhooks.replaceWebhook": doc(
    "Replace a webhook",
    "Replace all details for the given webhook ID (`enabled` is on when left out)."
  ),
  "webhooks.deleteWebhook": doc(
    "Delete a webhook",
    "Removes a webhook for the given webhook ID and answers it as it was."
  ),
  "webhooks.rotateWebhookSecret": doc(
    "Rotate a webhook's secret",
    "Issues a new signing secret, in this answer only; the old one also signs for `overlap_seconds` (24 h unless given)."
  ),
  "webhooks.getWebhookAttempts": doc(
    "List delivery attempts",
    "Every attempt to deliver to the webhook: status, latency, error and an excerpt of the answer."
  ),
  "webhooks.resendWebhookMessage": doc("Resend a message", "Sends one message to the webhook again, now."),
  "webhooks.recoverWebhookMessages": doc(
    "Recover failed messages",
    "Sends again every message that failed for the webhook since a time."
  ),
  "admin.createAppAsAdmin": doc(
    "Create an app (operator)",
    "Creates an app in an account, with an id of the operator's choosing when given. Admin token only."
  ),
  "admin.createToken": doc(
    "Create an API token (operator)",
    "Issues a token for an account, for the apps it names (which must exist) or all of them. Admin token only."
  ),
  "admin.revokeToken": doc("Revoke an API token (operator)", "The token stops working at once. Admin token only."),
  "admin.listMediaNodes": doc(
    "List media nodes (operator)",
    "Each media node's status, load and lease. Admin token only."
  ),
  "admin.getMediaNodeEvents": doc(
    "Read media node events (operator)",
    "Media nodes' registrations, drains, resumptions and losses from the log, after a cursor."
  ),
  "admin.drainMediaNode": doc(
    "Drain a media node (operator)",
    "The node takes no new publishers; its broadcasts go on."
  ),
  "admin.resumeMediaNode": doc("Resume a media node (operator)", "The node takes new publishers again.")
}
