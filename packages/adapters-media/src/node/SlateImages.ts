/**
 * Apps' own slate images on a media node (`slate_image_url`), fetched through the guarded outbound client:
 * the URL's host must be public (or allow-listed), the answer a 200 of at most 5 MB that starts as a PNG or
 * a JPEG. A good image is kept in `<media dir>/slates/` (owner-only) under the URL's digest, once per URL
 * for the life of the process. Until it is there, or when it cannot be had (refused, failed, not an image),
 * a slate shows OnAir's own; a URL that failed is tried again after five minutes.
 *
 * Packagers ask for the image of every broadcast they package (`want`) while its encoder is still there, so
 * the image is usually in place before the slate needs it; `round` fetches what is wanted, one at a time.
 */
import { OutboundClient } from "@onair/outbound"
import { Clock, Duration, Effect } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"

const MAX_BYTES = 5 * 1024 * 1024
/** Images kept at most (the least recently asked for go first, their files with them). */
export const MAX_SLATE_IMAGES = 64
const RETRY_MILLIS = 5 * 60_000
const FETCH_TIMEOUT = Duration.seconds(10)

type Entry =
  | { readonly _tag: "Wanted" }
  | { readonly _tag: "Ready"; readonly file: string }
  | { readonly _tag: "Failed"; readonly at: number; readonly why: string }

/** The image's kind by its first bytes, or null for anything else. */
export const imageKind = (bytes: Uint8Array): "png" | "jpg" | null => {
  if (bytes.length >= 8 && Buffer.from(bytes.subarray(0, 8)).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))) {
    return "png"
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpg"
  return null
}

export class SlateImages {
  private readonly images = new Map<string, Entry>()
  private readonly dir: string

  constructor(dir: string) {
    this.dir = dir
  }

  /**
   * Asks for `url`'s image; the next rounds fetch it unless it is here, or failed less than 5 minutes ago.
   * At most `MAX_SLATE_IMAGES` are kept: asking makes an image the most recent, and the least recent goes.
   */
  want(url: string, now: number): void {
    const entry = this.images.get(url)
    this.images.delete(url)
    this.images.set(
      url,
      entry === undefined || (entry._tag === "Failed" && now - entry.at >= RETRY_MILLIS) ? { _tag: "Wanted" } : entry
    )
    for (const [oldest, kept] of this.images) {
      if (this.images.size <= MAX_SLATE_IMAGES) break
      this.images.delete(oldest)
      if (kept._tag === "Ready") Fs.rmSync(kept.file, { force: true })
    }
  }

  /** Whether `url`'s image is kept or wanted. */
  holds(url: string): boolean {
    return this.images.has(url)
  }

  /** How many images are kept or wanted. */
  get size(): number {
    return this.images.size
  }

  /** The file of `url`'s image when it is here; undefined otherwise (the slate shows OnAir's own). */
  fileOf(url: string | null): string | undefined {
    const entry = url === null ? undefined : this.images.get(url)
    return entry?._tag === "Ready" ? entry.file : undefined
  }

  /** Fetches every wanted image, one at a time. */
  readonly round = Effect.gen({ self: this }, function* () {
    const wanted = [...this.images].filter(([, entry]) => entry._tag === "Wanted").map(([url]) => url)
    for (const url of wanted) {
      const outcome = yield* this.fetch(url)
      const now = yield* Clock.currentTimeMillis
      // An image let go while it was fetched stays let go (its file too).
      if (!this.images.has(url)) {
        if (outcome._tag === "Ready") Fs.rmSync(outcome.file, { force: true })
        continue
      }
      if (outcome._tag === "Failed") {
        yield* Effect.logWarning(`media: slate image ${url} not used (${outcome.why}); OnAir's own is shown`)
        this.images.set(url, { ...outcome, at: now })
      } else this.images.set(url, outcome)
    }
  })

  private fetch(url: string) {
    return Effect.gen({ self: this }, function* () {
      const outbound = yield* OutboundClient
      const answer = yield* outbound.get(url, { headers: {}, timeout: FETCH_TIMEOUT, maxResponseBytes: MAX_BYTES })
      if (answer.status !== 200) return { _tag: "Failed", why: `answered ${answer.status}` } as const
      if (answer.truncated) return { _tag: "Failed", why: `larger than ${MAX_BYTES} bytes` } as const
      const kind = imageKind(answer.bytes)
      if (kind === null) return { _tag: "Failed", why: "not a PNG or JPEG" } as const
      const file = Path.join(this.dir, `${createHash("sha256").update(url).digest("hex").slice(0, 32)}.${kind}`)
      yield* Effect.sync(() => {
        Fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 })
        Fs.writeFileSync(file, answer.bytes, { mode: 0o600 })
      })
      return { _tag: "Ready", file } as const
    }).pipe(
      Effect.catchTags({
        OutboundRefused: (error) => Effect.succeed({ _tag: "Failed", why: `refused: ${error.message}` } as const),
        OutboundFailed: (error) => Effect.succeed({ _tag: "Failed", why: error.message } as const)
      }),
      Effect.catchDefect((defect) => Effect.succeed({ _tag: "Failed", why: String(defect) } as const))
    )
  }
}
