/**
 * The low-latency HLS media playlist (RFC 8216bis) of a `LowLatencyStream`, written from what it holds.
 * Pure: the same view gives the same text.
 *
 * - `EXT-X-SERVER-CONTROL`: blocking reload, `PART-HOLD-BACK` of three part targets, and `CAN-SKIP-UNTIL`
 *   when the playlist is long (a DVR window's);
 * - a map (`init-<run>.mp4`) for the first segment and after each discontinuity;
 * - `EXT-X-PROGRAM-DATE-TIME` on every segment, parts for the last three target durations only (4.4.4.9),
 *   and a preload hint for the next part, or `EXT-X-ENDLIST` once the stream ended;
 * - with `skip` (6.2.5.1), a delta update: the complete segments that end more than `CAN-SKIP-UNTIL`
 *   seconds before the playlist's end are one `EXT-X-SKIP` line (version 9 for that answer only; a whole
 *   playlist stays at version 6 for players that know no more), and the first kept segment names its map
 *   again.
 */

export interface SegmentView {
  readonly msn: number
  readonly run: number
  readonly discontinuity: boolean
  /** Epoch ms. */
  readonly programDateTime: number
  readonly duration: number
  readonly complete: boolean
  readonly parts: ReadonlyArray<{ readonly duration: number; readonly independent: boolean }>
}

export interface PlaylistView {
  readonly segments: ReadonlyArray<SegmentView>
  readonly targetDuration: number
  readonly partTarget: number
  /** Discontinuities that left the playlist (`EXT-X-DISCONTINUITY-SEQUENCE`). */
  readonly discontinuities: number
  /** Seconds a delta update may skip up to; null: the playlist is always sent whole. */
  readonly canSkipUntil: number | null
  readonly ended: boolean
}

const seconds = (value: number) => value.toFixed(5)

/** How many segments from the start a delta update leaves out. */
const skippable = (view: PlaylistView): number => {
  if (view.canSkipUntil === null) return 0
  let after = view.segments.reduce((sum, segment) => sum + segment.duration, 0)
  let skipped = 0
  while (skipped < view.segments.length - 1) {
    const segment = view.segments[skipped]!
    after -= segment.duration
    if (!segment.complete || after <= view.canSkipUntil) break
    skipped++
  }
  return skipped
}

export const render = (view: PlaylistView, skip: boolean): string => {
  const { segments, targetDuration, partTarget, canSkipUntil } = view
  const skipped = skip ? skippable(view) : 0
  const control = `CAN-BLOCK-RELOAD=YES${canSkipUntil === null ? "" : `,CAN-SKIP-UNTIL=${canSkipUntil.toFixed(1)}`}`
  const lines = [
    "#EXTM3U",
    `#EXT-X-VERSION:${skipped > 0 ? 9 : 6}`,
    `#EXT-X-TARGETDURATION:${targetDuration}`,
    `#EXT-X-SERVER-CONTROL:${control},PART-HOLD-BACK=${(partTarget * 3).toFixed(3)}`,
    `#EXT-X-PART-INF:PART-TARGET=${partTarget.toFixed(3)}`,
    `#EXT-X-MEDIA-SEQUENCE:${segments[0]?.msn ?? 0}`
  ]
  if (view.discontinuities > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${view.discontinuities}`)
  if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`)
  let fromEnd = 0
  let partsFrom = segments.length
  while (partsFrom > 0 && fromEnd < targetDuration * 3) fromEnd += segments[--partsFrom]!.duration
  segments.forEach((segment, index) => {
    if (index < skipped) return
    if (index === skipped || segment.discontinuity) {
      if (segment.discontinuity && index > 0) lines.push("#EXT-X-DISCONTINUITY")
      lines.push(`#EXT-X-MAP:URI="init-${segment.run}.mp4"`)
    }
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}`)
    if (index >= partsFrom) {
      segment.parts.forEach((part, partIndex) => {
        lines.push(
          `#EXT-X-PART:DURATION=${seconds(part.duration)},URI="${segment.msn}.${partIndex}.m4s"${part.independent ? ",INDEPENDENT=YES" : ""}`
        )
      })
    }
    if (segment.complete) lines.push(`#EXTINF:${seconds(segment.duration)},`, `${segment.msn}.m4s`)
  })
  const last = segments.at(-1)
  if (view.ended) lines.push("#EXT-X-ENDLIST")
  else if (last !== undefined) {
    const hint = last.complete ? `${last.msn + 1}.0` : `${last.msn}.${last.parts.length}`
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${hint}.m4s"`)
  }
  return `${lines.join("\n")}\n`
}
