/**
 * Signed, expiring links to a recording's files: `<api>/recordings/v1/<recording id>/<file>?expires=<unix
 * seconds>&signature=<mac>`, the MAC an HMAC-SHA256 of the recording, file and expiry under a key derived
 * from the deployment's secret key. Whoever holds a link can fetch that one file until it expires, and
 * nothing else: not another file, not after the time, not with a changed expiry. The API answers a link
 * from wherever the files are stored (the node's disk, or a short redirect to the bucket).
 *
 * A link is a function of its inputs, so a webhook made again from the log signs the same URL.
 */
import { sameSecret } from "@onair/secrets"
import { SecretKeyring } from "@onair/event-store"
import { RECORDING_FILE } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { PublicUrlsConfig } from "./PublicUrlsConfig.ts"

/** The path every recording link starts with. */
export const RECORDING_LINK_PATH: `/${string}` = "/recordings/v1"

const PURPOSE = "recording-link"

export class RecordingLinks extends Context.Service<
  RecordingLinks,
  {
    /** The link to `file` of the recording, valid until `expiresAt` (epoch millis, rounded down to a second). */
    readonly link: (recordingId: string, file: string, expiresAt: number) => string
    /** Whether a link's signature is this deployment's for that file and expiry (the expiry not checked). */
    readonly isSigned: (recordingId: string, file: string, expires: string, signature: string) => boolean
  }
>()("@onair/application/RecordingLinks") {
  static readonly layer = Layer.effect(
    RecordingLinks,
    Effect.gen(function* () {
      const keyring = yield* SecretKeyring
      const { apiBase } = yield* PublicUrlsConfig
      const mac = (recordingId: string, file: string, expires: string) =>
        keyring.digest(PURPOSE, `${recordingId}/${file}\n${expires}`)
      return RecordingLinks.of({
        link: (recordingId, file, expiresAt) => {
          const expires = String(Math.floor(expiresAt / 1000))
          return `${apiBase}${RECORDING_LINK_PATH}/${recordingId}/${file}?expires=${expires}&signature=${mac(recordingId, file, expires)}`
        },
        isSigned: (recordingId, file, expires, signature) => {
          if (!/^\d{1,12}$/.test(expires) || !RECORDING_FILE.test(file)) return false
          return sameSecret(signature, mac(recordingId, file, expires))
        }
      })
    })
  )
}
