/**
 * Secrets at rest: stream keys and webhook signing secrets are stored in the event log encrypted under the
 * deployment key, never in clear. The store encrypts the secret fields of an event's data as it appends
 * (AES-256-GCM, bound to the event's stream and the field's name) and decrypts them as it reads, so
 * everything above the store sees the values and nothing below it does.
 *
 * The keyring is `ONAIR_SECRET_KEY`: comma-separated keys of 32 bytes in base64. The first encrypts; every
 * one decrypts, so a key is rotated by putting the new one first, running `onair secrets rewrap` (which
 * re-encrypts every stored secret under it), then dropping the old one. Unset, the key is read from
 * `<data dir>/secret.key`, made there (0600) the first time: right for the embedded default and for
 * processes that share a data directory; replicas on other machines must be given the same key.
 *
 * Stored form: `enc:v1:<key id>:<base64url of nonce | ciphertext | tag>`. The key id is the first 8 hex
 * digits of the key's SHA-256, so a value tells which key it needs without revealing it.
 */
import { Config, Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes
} from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"

/** The fields of an event's data that hold secrets, whatever the event. */
export const SECRET_FIELDS: ReadonlyArray<string> = ["streamKey", "secret"]

const PREFIX = "enc:v1:"
const KEY_BYTES = 32
const NONCE_BYTES = 12
const TAG_BYTES = 16

export class SecretKeyUnavailable extends Schema.TaggedError<SecretKeyUnavailable>()("SecretKeyUnavailable", {
  message: Schema.String
}) {}

interface Key {
  readonly id: string
  readonly bytes: Buffer
}

const keyId = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex").slice(0, 8)

/** Parses a keyring's text; a message naming the bad entry when one is not 32 bytes of base64. */
export const parseKeys = (text: string): ReadonlyArray<Key> | string => {
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "")
  if (entries.length === 0) return "ONAIR_SECRET_KEY holds no key"
  const keys: Array<Key> = []
  for (const [index, entry] of entries.entries()) {
    const bytes = Buffer.from(entry, entry.includes("-") || entry.includes("_") ? "base64url" : "base64")
    if (bytes.length !== KEY_BYTES || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(entry)) {
      return `ONAIR_SECRET_KEY: key ${index + 1} is not ${KEY_BYTES} bytes of base64`
    }
    keys.push({ id: keyId(bytes), bytes })
  }
  return keys
}

/** A new key's text, as `ONAIR_SECRET_KEY` and `secret.key` hold it. */
export const newKeyText = () => randomBytes(KEY_BYTES).toString("base64")

export const isEncrypted = (value: unknown): value is string => typeof value === "string" && value.startsWith(PREFIX)

export interface Keyring {
  /** The id of the key that encrypts. */
  readonly currentKeyId: string
  readonly encrypt: (value: string, context: string) => string
  /** The value, or the reason it cannot be read (a key the ring does not hold, or tampering). */
  readonly decrypt: (stored: string, context: string) => string | { readonly error: string }
  /** Whether the ring holds the key with this id (it can read what is sealed under it). */
  readonly holds: (keyId: string) => boolean
  /** Which key a stored value is under. */
  readonly keyIdOf: (stored: string) => string | undefined
  /** A keyed hash of a secret, for looking it up without keeping it (per purpose, under the current key). */
  readonly digest: (purpose: string, value: string) => string
}

export const makeKeyring = (keys: ReadonlyArray<Key>): Keyring => {
  // Key objects made once: handing node:crypto raw bytes makes it convert them on every call, which cost
  // more than the cipher itself on the timer path.
  const objects = new Map(keys.map((key) => [key.id, createSecretKey(key.bytes)]))
  const current = { id: keys[0]!.id, object: objects.get(keys[0]!.id)! }
  const lookupKeys = new Map<string, KeyObject>()
  const lookupKey = (purpose: string) => {
    let key = lookupKeys.get(purpose)
    if (key === undefined) {
      key = createSecretKey(createHmac("sha256", current.object).update(`onair lookup: ${purpose}`).digest())
      lookupKeys.set(purpose, key)
    }
    return key
  }
  return {
    currentKeyId: current.id,
    encrypt: (value, context) => {
      const nonce = randomBytes(NONCE_BYTES)
      const cipher = createCipheriv("aes-256-gcm", current.object, nonce)
      cipher.setAAD(Buffer.from(context))
      const sealed = Buffer.concat([nonce, cipher.update(value, "utf8"), cipher.final(), cipher.getAuthTag()])
      return `${PREFIX}${current.id}:${sealed.toString("base64url")}`
    },
    decrypt: (stored, context) => {
      const [id = "", payload = ""] = stored.slice(PREFIX.length).split(":", 2)
      const key = objects.get(id)
      if (key === undefined) return { error: `encrypted under key ${id}, which ONAIR_SECRET_KEY does not hold` }
      const sealed = Buffer.from(payload, "base64url")
      if (sealed.length < NONCE_BYTES + TAG_BYTES) return { error: "encrypted value is truncated" }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(0, NONCE_BYTES))
        decipher.setAAD(Buffer.from(context))
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
        return Buffer.concat([
          decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
          decipher.final()
        ]).toString("utf8")
      } catch {
        return { error: `encrypted value does not open under key ${id} (altered, or moved from another event)` }
      }
    },
    holds: (keyId) => objects.has(keyId),
    keyIdOf: (stored) => (isEncrypted(stored) ? stored.slice(PREFIX.length).split(":", 1)[0] : undefined),
    digest: (purpose, value) => createHmac("sha256", lookupKey(purpose)).update(value).digest("base64url")
  }
}

/** What a field's ciphertext is bound to: the event's stream and the field, so it cannot be moved. */
export const fieldContext = (stream: string, field: string) => `${stream}\u0000${field}`

/** The key file in a data directory: read, or made owner-only the first time. */
const keyFromFile = (dataDir: string) =>
  Effect.try({
    try: () => {
      const file = Path.join(Path.resolve(dataDir), "secret.key")
      if (!Fs.existsSync(file)) {
        Fs.mkdirSync(Path.dirname(file), { recursive: true, mode: 0o700 })
        try {
          Fs.writeFileSync(file, `${newKeyText()}\n`, { mode: 0o600, flag: "wx" })
        } catch (error) {
          // Another process of this deployment made it first: use theirs.
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
        }
      }
      Fs.chmodSync(file, 0o600)
      return Fs.readFileSync(file, "utf8")
    },
    catch: (error) =>
      new SecretKeyUnavailable({ message: `the secret key file could not be read or made: ${String(error)}` })
  })

export class SecretKeyring extends Context.Service<SecretKeyring, Keyring>()("@onair/event-store/SecretKeyring") {
  /** `ONAIR_SECRET_KEY`, or `<dataDir>/secret.key` (made when missing). A bad key stops start-up. */
  static readonly fromEnv = (dataDir: string) =>
    Layer.effect(
      SecretKeyring,
      Effect.gen(function* () {
        const configured = Option.filter(
          yield* Config.option(Config.Redacted("ONAIR_SECRET_KEY")),
          (text) => Redacted.value(text).trim() !== ""
        )
        const text = Option.isSome(configured) ? Redacted.value(configured.value) : yield* keyFromFile(dataDir)
        const keys = parseKeys(text)
        if (typeof keys === "string") return yield* new SecretKeyUnavailable({ message: keys })
        return makeKeyring(keys)
      })
    )

  /** A keyring of the given keys' texts (tests and the rewrap command). */
  static readonly fromKeys = (texts: ReadonlyArray<string>) => {
    const keys = parseKeys(texts.join(","))
    if (typeof keys === "string") throw new Error(keys)
    return Layer.succeed(SecretKeyring)(makeKeyring(keys))
  }
}
