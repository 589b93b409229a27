/**
 * The media server's settings, from the environment:
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `ONAIR_MEDIA` | `auto` | `auto`: run nginx when it is installed; `on`: fail to start without it; `off` |
 * | `ONAIR_MEDIA_DIR` | `<ONAIR_DATA_DIR>/media` | nginx's folder: config, logs, HLS output, certificate |
 * | `ONAIR_NGINX` | `nginx` (else `/usr/sbin/nginx`) | the nginx binary |
 * | `ONAIR_NGINX_MODULES` | `/usr/lib/nginx/modules` | where the rtmp and stream modules are |
 * | `ONAIR_RTMP_HOST` | `0.0.0.0` | the address the RTMP and RTMPS listeners bind |
 * | `ONAIR_RTMP_PORT` | `1935` | RTMP ingest |
 * | `ONAIR_RTMPS_PORT` | `1936` | RTMPS ingest; `0` turns TLS ingest off |
 * | `ONAIR_TLS_CERT`, `ONAIR_TLS_KEY` | self-signed | PEM files for RTMPS; made for `localhost` when unset |
 * | `ONAIR_MEDIA_CONTROL_PORT` | `0` (any free) | nginx's loopback HTTP port for `/stat` and `/control` |
 * | `ONAIR_HLS_FRAGMENT_SECONDS` | `2` | HLS segment length |
 * | `ONAIR_HLS_PLAYLIST_SECONDS` | `12` | how much of the stream the live playlist keeps |
 * | `ONAIR_RESTREAM_CA_FILE` | `/etc/ssl/certs/ca-certificates.crt` | what `rtmps://` restream targets' certificates are verified against |
 * | `ONAIR_ABR_CPU_CORES` | three quarters of the cores | the cores all adaptive ladders together may take; a ladder beyond is refused (`no cpu budget`) and its source served alone |
 * | `ONAIR_SRT` | `off` | `on`: listen for SRT callers on the ports the control plane gives its livestreams (`ONAIR_SRT_PORTS` there), with each stream key as the passphrase |
 * | `ONAIR_SRT_HOST` | `ONAIR_RTMP_HOST` | the address the SRT listeners bind |
 * | `ONAIR_WHIP` | `on` | `off` answers `POST /whip/…` with 404 |
 * | `ONAIR_WHIP_UDP_PORTS` | `40000-40999` | the UDP ports WebRTC's ICE and media use, WHIP publishers' and WHEP viewers' (one per address per peer) |
 * | `ONAIR_WHIP_HOST_ADDRESSES` | none | addresses to offer as ICE candidates besides the interfaces' own, to WHIP and WHEP peers (comma-separated: a public address behind NAT, `127.0.0.1` for tests) |
 * | `ONAIR_WHIP_MAX_PUBLISHERS` | `50` | WHIP publishers at once; more are answered 503 |
 * | `ONAIR_WHIP_MAX_PENDING` | `16` | WHIP offers being decided at once on the node (and WHEP offers, apart); more are answered 503 with `Retry-After` |
 * | `ONAIR_WHIP_MAX_PENDING_PER_ADDRESS` | `4` | the same, from one client address |
 * | `ONAIR_WHEP` | `on` | `off` answers WHEP offers (`POST <playback>/<id>/whep`) with 404 |
 * | `ONAIR_WHEP_MAX_VIEWERS` | `100` | WHEP viewers at once on the node, all broadcasts together; more are answered 503 with `Retry-After` |
 * | `ONAIR_COMPOSER` | `auto` | meeting composers: `auto` runs them when Xvfb, PulseAudio and Chromium are installed; `on` refuses to start without them; `off` |
 * | `ONAIR_COMPOSER_CPU_CORES` | half the cores | the cores all composers together may take; one beyond is refused and its broadcast ends |
 * | `ONAIR_CHROMIUM` | `/usr/bin/chromium` | the browser composers open meeting pages in |
 */
import { Config, Effect, Option, Schema } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

export type MediaMode = "auto" | "on" | "off"

export interface MediaSettings {
  readonly mode: MediaMode
  readonly dir: string
  readonly nginx: string
  readonly moduleDir: string
  readonly host: string
  readonly rtmpPort: number
  /** 0 when RTMPS is off. */
  readonly rtmpsPort: number
  readonly tls: { readonly certificate: string; readonly key: string } | null
  readonly controlPort: number
  readonly hlsFragmentSeconds: number
  readonly hlsPlaylistSeconds: number
  /** How often a live publisher's right to go on is checked and its health sampled (seconds). */
  readonly updateSeconds: number
  /** The CA bundle `rtmps://` restream targets' certificates must chain to (unless a target opts out). */
  readonly restreamCaFile: string
  /** WebRTC ingest (WHIP); null when off. */
  readonly whip: WhipSettings | null
  /** WebRTC playback (WHEP) of `realtime` broadcasts; null when off. */
  readonly whep: WhepSettings | null
  /** Cores the node's adaptive ladders may take together. */
  readonly abrCpuCores: number
  /** The address SRT listeners bind; null when the node takes no SRT. */
  readonly srtHost: string | null
  /** Meeting composers; null when off (or, with `auto`, when their programs are missing). */
  readonly composer: ComposerEnvSettings | null
}

export interface ComposerEnvSettings {
  readonly chromium: string
  readonly cpuCores: number
}

/** Whether `program` is on PATH. */
const onPath = (program: string): boolean =>
  (process.env["PATH"] ?? "").split(Path.delimiter).some((dir) => dir !== "" && Fs.existsSync(Path.join(dir, program)))

const composerFromEnv = Effect.gen(function* () {
  const mode = yield* Config.schema(Schema.Literals(["auto", "on", "off"]), "ONAIR_COMPOSER").pipe(
    Config.withDefault("auto" as const)
  )
  if (mode === "off") return null
  const chromium = yield* Config.String("ONAIR_CHROMIUM").pipe(Config.withDefault("/usr/bin/chromium"))
  const missing = [
    ...(onPath("Xvfb") ? [] : ["Xvfb (Debian: xvfb)"]),
    ...(onPath("pulseaudio") ? [] : ["pulseaudio"]),
    ...(Fs.existsSync(chromium) ? [] : [`${chromium} (Debian: chromium)`])
  ]
  if (missing.length > 0) {
    if (mode === "on") return yield* Effect.die(new Error(`media: ONAIR_COMPOSER=on but missing ${missing.join(", ")}`))
    return null
  }
  const cpuCores = yield* Config.schema(
    Schema.Finite.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 1024 }))),
    "ONAIR_COMPOSER_CPU_CORES"
  ).pipe(Config.withDefault(Math.round(Os.availableParallelism() * 0.5 * 100) / 100))
  return { chromium, cpuCores } satisfies ComposerEnvSettings
})

/** Where WebRTC peers (WHIP publishers, WHEP viewers) reach the node. */
export interface WebRtcSettings {
  /** The UDP ports ICE binds, inclusive (werift needs two at least). */
  readonly udpPorts: readonly [number, number]
  /** Addresses offered as host candidates besides the interfaces' own. */
  readonly hostAddresses: ReadonlyArray<string>
  /** Offers being decided at once on the node, and from one client address. */
  readonly maxPending: number
  readonly maxPendingPerAddress: number
}

export interface WhipSettings extends WebRtcSettings {
  readonly maxPublishers: number
}

export interface WhepSettings extends WebRtcSettings {
  /** Viewers at once on the node. */
  readonly maxViewers: number
}

/** `40000-40999`: two ports, the first lower. */
const PortRange = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((text: string) => {
      const match = /^(\d{1,5})-(\d{1,5})$/.exec(text)
      const [low, high] = match === null ? [0, 0] : [Number(match[1]), Number(match[2])]
      return (
        (low >= 1024 && high <= 65_535 && low < high) ||
        "a range of UDP ports such as 40000-40999 (from 1024, the first lower)"
      )
    })
  )
)

const count = (name: string, fallback: number) =>
  Config.schema(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 10_000 }))), name).pipe(
    Config.withDefault(fallback)
  )

const onOff = (name: string) =>
  Config.schema(Schema.Literals(["on", "off"]), name).pipe(Config.withDefault("on" as const))

/** What WHIP and WHEP share: ICE's ports and addresses, and how many offers are decided at once. */
const webRtcFromEnv = Effect.gen(function* () {
  const range = yield* Config.schema(PortRange, "ONAIR_WHIP_UDP_PORTS").pipe(Config.withDefault("40000-40999"))
  const [low, high] = range.split("-").map(Number)
  const addresses = yield* Config.String("ONAIR_WHIP_HOST_ADDRESSES").pipe(Config.withDefault(""))
  return {
    udpPorts: [low!, high!] as const,
    hostAddresses: addresses
      .split(",")
      .map((address) => address.trim())
      .filter((address) => address !== ""),
    maxPending: yield* count("ONAIR_WHIP_MAX_PENDING", 16),
    maxPendingPerAddress: yield* count("ONAIR_WHIP_MAX_PENDING_PER_ADDRESS", 4)
  } satisfies WebRtcSettings
})

const whipFromEnv = Effect.gen(function* () {
  if ((yield* onOff("ONAIR_WHIP")) === "off") return null
  return {
    ...(yield* webRtcFromEnv),
    maxPublishers: yield* count("ONAIR_WHIP_MAX_PUBLISHERS", 50)
  } satisfies WhipSettings
})

const whepFromEnv = Effect.gen(function* () {
  if ((yield* onOff("ONAIR_WHEP")) === "off") return null
  return {
    ...(yield* webRtcFromEnv),
    maxViewers: yield* count("ONAIR_WHEP_MAX_VIEWERS", 100)
  } satisfies WhepSettings
})

const port = (name: string, fallback: number) =>
  Config.schema(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 65_535 }))), name).pipe(
    Config.withDefault(fallback)
  )

const seconds = (name: string, fallback: number, maximum: number) =>
  Config.schema(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum }))), name).pipe(
    Config.withDefault(fallback)
  )

/**
 * `nginx` from PATH, or Debian's `/usr/sbin/nginx` when PATH leaves sbin out (CI runners, cron, services).
 */
export const defaultNginx = (): string => {
  const dirs = (process.env["PATH"] ?? "").split(Path.delimiter).filter((dir) => dir !== "")
  if (dirs.some((dir) => Fs.existsSync(Path.join(dir, "nginx")))) return "nginx"
  return Fs.existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx"
}

/** Reads the settings; `dataDir` is where the media folder goes unless `ONAIR_MEDIA_DIR` says otherwise. */
export const fromEnv = (dataDir: string) =>
  Effect.gen(function* () {
    const mode = yield* Config.schema(Schema.Literals(["auto", "on", "off"]), "ONAIR_MEDIA").pipe(
      Config.withDefault("auto" as const)
    )
    const dir = yield* Config.String("ONAIR_MEDIA_DIR").pipe(Config.withDefault(Path.join(dataDir, "media")))
    const certificate = yield* Config.option(Config.String("ONAIR_TLS_CERT"))
    const key = yield* Config.option(Config.String("ONAIR_TLS_KEY"))
    if (Option.isSome(certificate) !== Option.isSome(key)) {
      // Half a pair is a mistake, not a request for the self-signed certificate.
      return yield* Effect.die(new Error("media: set both ONAIR_TLS_CERT and ONAIR_TLS_KEY, or neither"))
    }
    const hlsFragmentSeconds = yield* seconds("ONAIR_HLS_FRAGMENT_SECONDS", 2, 60)
    const host = yield* Config.String("ONAIR_RTMP_HOST").pipe(Config.withDefault("0.0.0.0"))
    const settings: MediaSettings = {
      mode,
      dir: Path.resolve(dir),
      nginx: yield* Config.String("ONAIR_NGINX").pipe(Config.withDefault(defaultNginx())),
      moduleDir: yield* Config.String("ONAIR_NGINX_MODULES").pipe(Config.withDefault("/usr/lib/nginx/modules")),
      host,
      rtmpPort: yield* port("ONAIR_RTMP_PORT", 1935),
      rtmpsPort: yield* port("ONAIR_RTMPS_PORT", 1936),
      tls:
        Option.isSome(certificate) && Option.isSome(key)
          ? { certificate: Path.resolve(certificate.value), key: Path.resolve(key.value) }
          : null,
      controlPort: yield* port("ONAIR_MEDIA_CONTROL_PORT", 0),
      hlsFragmentSeconds,
      hlsPlaylistSeconds: yield* seconds("ONAIR_HLS_PLAYLIST_SECONDS", 6 * hlsFragmentSeconds, 3600),
      updateSeconds: 5,
      restreamCaFile: yield* Config.String("ONAIR_RESTREAM_CA_FILE").pipe(
        Config.withDefault("/etc/ssl/certs/ca-certificates.crt")
      ),
      whip: yield* whipFromEnv,
      whep: yield* whepFromEnv,
      composer: yield* composerFromEnv,
      srtHost:
        (yield* Config.schema(Schema.Literals(["on", "off"]), "ONAIR_SRT").pipe(Config.withDefault("off" as const))) ===
        "on"
          ? yield* Config.String("ONAIR_SRT_HOST").pipe(Config.withDefault(host))
          : null,
      abrCpuCores: yield* Config.schema(
        Schema.Finite.pipe(Schema.check(Schema.isBetween({ minimum: 0, maximum: 1024 }))),
        "ONAIR_ABR_CPU_CORES"
      ).pipe(Config.withDefault(Math.round(Os.availableParallelism() * 0.75 * 100) / 100))
    }
    return settings
  })
