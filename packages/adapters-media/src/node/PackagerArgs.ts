/**
 * The packager's ffmpeg command lines. Both write fragmented MP4 to standard output, a fragment at every
 * keyframe and every `partSeconds`, flushed as each is written:
 *
 * - a live run reads the session from nginx's loopback relay and copies video and audio (no re-encode);
 * - a slate run, while the encoder is away inside its reconnect window, loops a still image (the app's
 *   `slate_image_url` when it has one, else OnAir's own) at the source's size and frame rate, with
 *   silence when the source has audio, keyed every second, paced in real time.
 */

const FRAGMENTED_MP4 = (partSeconds: number) => [
  "-f",
  "mp4",
  "-movflags",
  "frag_keyframe+empty_moov+default_base_moof",
  "-frag_duration",
  String(Math.round(partSeconds * 1_000_000)),
  "-flush_packets",
  "1",
  "pipe:1"
]

const QUIET = ["-nostdin", "-hide_banner", "-loglevel", "error"]

export const liveArgs = (input: string, partSeconds: number): ReadonlyArray<string> => [
  ...QUIET,
  ...["-rw_timeout", "10000000", "-i", input],
  ...["-map", "0:v?", "-map", "0:a?", "-c", "copy"],
  ...FRAGMENTED_MP4(partSeconds)
]

/** What a slate matches of the live source it stands in for. */
export interface SlateShape {
  readonly width: number
  readonly height: number
  readonly fps: number
  readonly audio: boolean
}

/** The shape of a slate for a source not yet measured. */
export const DEFAULT_SLATE_SHAPE: SlateShape = { width: 1280, height: 720, fps: 30, audio: true }

export const slateArgs = (image: string, shape: SlateShape, partSeconds: number): ReadonlyArray<string> => {
  // Even sizes (yuv420p), a sane rate: a slate costs a still image's encode, a few percent of a core.
  const even = (value: number) => Math.max(2, Math.min(3840, Math.round(value / 2) * 2))
  const [width, height] = [even(shape.width), even(shape.height)]
  const fps = Math.max(1, Math.min(60, Math.round(shape.fps > 0 ? shape.fps : 30)))
  return [
    ...QUIET,
    ...["-re", "-loop", "1", "-framerate", String(fps), "-i", image],
    ...(shape.audio ? ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-map", "0:v", "-map", "1:a"] : []),
    ...[
      "-vf",
      `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,format=yuv420p`
    ],
    ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", String(fps)],
    ...(shape.audio ? ["-c:a", "aac", "-b:a", "64k"] : []),
    ...FRAGMENTED_MP4(partSeconds)
  ]
}
