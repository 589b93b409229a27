/**
 * The one client for requests to URLs that users give OnAir (webhook endpoints and slate images now;
 * restream targets and transcription engines later): nothing else in OnAir may send to such a URL.
 *
 * - `check` is asked when a URL is registered: http(s), no credentials, a public host. An IP literal in
 *   any spelling is judged by the address it means (the URL parser turns `2130706433`, `0x7f.1` and
 *   `0177.0.0.1` into `127.0.0.1`); names that are internal by definition (`localhost`, `*.internal`,
 *   `*.local`, single labels, …) are refused; a name that resolves is refused if any address it resolves
 *   to is not public. A name that does not resolve yet is accepted: sending checks again.
 * - `post` checks the URL again, resolves the name, refuses if any address is not public, and connects
 *   only to an address it checked (the connection's DNS lookup is answered with it), so a name that
 *   changes its answer between the check and the connection (DNS rebinding) reaches nothing new.
 *   Redirects are not followed; the answer is read up to a limit and the rest discarded.
 * - `get` does the same for a GET (an app's slate image, say), answering the body's bytes and whether
 *   the limit cut it.
 *
 * `ONAIR_OUTBOUND_ALLOWLIST` (comma-separated CIDRs and host names) admits on-premises receivers.
 */
import { Config, Context, Duration, Effect, Layer } from "effect"
import * as Dns from "node:dns"
import * as Http from "node:http"
import * as Https from "node:https"
import type { LookupFunction } from "node:net"
import {
  type AllowList,
  allowsAddress,
  allowsHost,
  EMPTY_ALLOW_LIST,
  familyOf,
  nonPublicReason,
  parseAllowList
} from "./AddressPolicy.ts"
import { OutboundFailed, OutboundRefused } from "./OutboundError.ts"

export interface OutboundRequest {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly timeout: Duration.Duration
  /** How much of the answer's body to read; the rest is discarded. */
  readonly maxResponseBytes: number
}

export interface OutboundResponse {
  readonly status: number
  /** The first `maxResponseBytes` of the body, as text. */
  readonly body: string
}

export interface OutboundDownload {
  readonly status: number
  readonly contentType: string
  /** The first `maxResponseBytes` of the body. */
  readonly bytes: Uint8Array
  /** Whether the body was longer than `maxResponseBytes`. */
  readonly truncated: boolean
}

interface Exchange {
  readonly method: "GET" | "POST"
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly timeout: Duration.Duration
  readonly maxResponseBytes: number
}

/** Host names that never mean the public internet. */
const INTERNAL_NAME =
  /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain|in-addr\.arpa|ip6\.arpa|onion|test|invalid|example)$/

interface Target {
  readonly url: URL
  /** The host without IPv6 brackets or a trailing dot, lower case. */
  readonly host: string
  /** The address when the host is an IP literal. */
  readonly literal: string | undefined
  readonly allowedHost: boolean
}

const refused = (message: string) => new OutboundRefused({ message })

/** The URL's form and host, before any lookup. */
const parseTarget = (allow: AllowList, text: string): Target | OutboundRefused => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return refused("not an absolute URL")
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return refused("only http and https URLs are allowed")
  if (url.username !== "" || url.password !== "") return refused("credentials in the URL are not allowed")
  const bracketed = url.hostname.startsWith("[") && url.hostname.endsWith("]")
  const host = (bracketed ? url.hostname.slice(1, -1) : url.hostname).replace(/\.$/, "").toLowerCase()
  if (host === "") return refused("the URL has no host")
  const literal = familyOf(host) === undefined ? undefined : host
  const allowedHost = allowsHost(allow, host)
  if (literal !== undefined) {
    if (allowsAddress(allow, literal)) return { url, host, literal, allowedHost: true }
    const reason = nonPublicReason(literal)
    if (reason !== undefined) return refused(`${literal} is not a public address (${reason})`)
    return { url, host, literal, allowedHost }
  }
  if (!allowedHost) {
    if (!host.includes(".")) return refused(`${host} is not a fully qualified public host name`)
    if (INTERNAL_NAME.test(host)) return refused(`${host} is an internal host name`)
  }
  return { url, host, literal: undefined, allowedHost }
}

/** Every address the name resolves to, each checked; the first refusal, or the addresses. */
const resolve = (allow: AllowList, target: Target) =>
  Effect.callback<ReadonlyArray<Dns.LookupAddress>, OutboundRefused | OutboundFailed>((resume) => {
    if (target.literal !== undefined) {
      return resume(Effect.succeed([{ address: target.literal, family: familyOf(target.literal) === "ipv6" ? 6 : 4 }]))
    }
    Dns.lookup(target.host, { all: true, order: "verbatim" }, (error, addresses) => {
      if (error !== null || addresses.length === 0) {
        return resume(
          Effect.fail(
            new OutboundFailed({ message: `${target.host} did not resolve (${error?.code ?? "no address"})` })
          )
        )
      }
      if (!target.allowedHost) {
        for (const { address } of addresses) {
          if (allowsAddress(allow, address)) continue
          const reason = nonPublicReason(address)
          if (reason !== undefined) {
            return resume(
              Effect.fail(refused(`${target.host} resolves to ${address}, which is not a public address (${reason})`))
            )
          }
        }
      }
      resume(Effect.succeed(addresses))
    })
  })

/** A lookup that answers with the checked address only: the connection goes where the check looked. */
const pinnedLookup =
  (checked: Dns.LookupAddress): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all === true) {
      ;(callback as (error: null, addresses: ReadonlyArray<Dns.LookupAddress>) => void)(null, [checked])
    } else {
      callback(null, checked.address, checked.family)
    }
  }

const send = (target: Target, checked: Dns.LookupAddress, request: Exchange, agents: Agents) =>
  Effect.callback<OutboundDownload, OutboundFailed>((resume, signal) => {
    const isHttps = target.url.protocol === "https:"
    const options: Https.RequestOptions = {
      method: request.method,
      headers:
        request.method === "POST"
          ? { ...request.headers, "content-length": String(Buffer.byteLength(request.body)) }
          : request.headers,
      agent: isHttps ? agents.https : agents.http,
      lookup: pinnedLookup(checked),
      signal: AbortSignal.any([signal, AbortSignal.timeout(Duration.toMillis(request.timeout))])
    }
    const outgoing = (isHttps ? Https : Http).request(target.url, options, (response) => {
      const chunks: Array<Buffer> = []
      let size = 0
      let settled = false
      const finish = () => {
        if (settled) return
        settled = true
        resume(
          Effect.succeed({
            status: response.statusCode ?? 0,
            contentType: String(response.headers["content-type"] ?? ""),
            bytes: Buffer.concat(chunks).subarray(0, request.maxResponseBytes),
            truncated: size > request.maxResponseBytes
          })
        )
      }
      response.on("data", (chunk: Buffer) => {
        if (size < request.maxResponseBytes) chunks.push(chunk)
        size += chunk.length
        // Enough read: the rest is not wanted, and a receiver that never stops must not hold us.
        if (size >= request.maxResponseBytes) {
          finish()
          response.destroy()
        }
      })
      response.on("end", finish)
      response.on("error", finish)
      response.on("close", finish)
    })
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      const timedOut = error.name === "AbortError" || error.name === "TimeoutError"
      resume(
        Effect.fail(
          new OutboundFailed({ message: timedOut ? "timed out" : `${error.code ?? error.name}: ${error.message}` })
        )
      )
    })
    outgoing.end(request.method === "POST" ? request.body : undefined)
  })

/** A checked address to connect to. */
export interface CheckedAddress {
  readonly address: string
  readonly family: number
  readonly port: number
}

interface Agents {
  readonly http: Http.Agent
  readonly https: Https.Agent
}

export class OutboundClient extends Context.Service<
  OutboundClient,
  {
    /** Whether a URL may be registered as a destination; refused with the reason. */
    readonly check: (url: string) => Effect.Effect<URL, OutboundRefused>
    /** POSTs to a checked address of the URL; refused or failed with the reason. */
    readonly post: (
      url: string,
      request: OutboundRequest
    ) => Effect.Effect<OutboundResponse, OutboundRefused | OutboundFailed>
    /** GETs from a checked address of the URL, its body as bytes; refused or failed with the reason. */
    readonly get: (
      url: string,
      request: Omit<OutboundRequest, "body">
    ) => Effect.Effect<OutboundDownload, OutboundRefused | OutboundFailed>
    /**
     * Where a connection to the URL's host goes: the address its check resolved (its port the URL's), for
     * what relays connections itself (the composer's browser proxy); refused or failed with the reason.
     */
    readonly address: (url: string) => Effect.Effect<CheckedAddress, OutboundRefused | OutboundFailed>
    /** The allow-list in force, as given. */
    readonly allowList: ReadonlyArray<string>
  }
>()("@onair/outbound/OutboundClient") {
  static readonly make = (allow: AllowList) =>
    Effect.gen(function* () {
      const agents: Agents = yield* Effect.acquireRelease(
        Effect.sync(() => ({
          http: new Http.Agent({ keepAlive: true, maxSockets: 256 }),
          https: new Https.Agent({ keepAlive: true, maxSockets: 256 })
        })),
        (agents) =>
          Effect.sync(() => {
            agents.http.destroy()
            agents.https.destroy()
          })
      )
      const target = (url: string) => {
        const parsed = parseTarget(allow, url)
        return parsed instanceof OutboundRefused ? Effect.fail(parsed) : Effect.succeed(parsed)
      }
      return OutboundClient.of({
        allowList: allow.entries,
        check: Effect.fn("OutboundClient.check")(function* (url: string) {
          const parsed = yield* target(url)
          // A name that does not resolve yet is not refused here; sending resolves and checks again.
          yield* resolve(allow, parsed).pipe(Effect.catchTag("OutboundFailed", () => Effect.void))
          return parsed.url
        }),
        post: Effect.fn("OutboundClient.post")(function* (url: string, request: OutboundRequest) {
          const parsed = yield* target(url)
          const addresses = yield* resolve(allow, parsed)
          const answer = yield* send(parsed, addresses[0]!, { ...request, method: "POST" }, agents)
          return { status: answer.status, body: Buffer.from(answer.bytes).toString("utf8") }
        }),
        address: Effect.fn("OutboundClient.address")(function* (url: string) {
          const parsed = yield* target(url)
          const [checked] = yield* resolve(allow, parsed)
          const port = parsed.url.port === "" ? (parsed.url.protocol === "https:" ? 443 : 80) : Number(parsed.url.port)
          return { address: checked!.address, family: checked!.family, port } satisfies CheckedAddress
        }),
        get: Effect.fn("OutboundClient.get")(function* (url: string, request: Omit<OutboundRequest, "body">) {
          const parsed = yield* target(url)
          const addresses = yield* resolve(allow, parsed)
          return yield* send(parsed, addresses[0]!, { ...request, body: "", method: "GET" }, agents)
        })
      })
    })

  /** The client with `ONAIR_OUTBOUND_ALLOWLIST` from the environment; a malformed entry stops start-up. */
  static readonly layer = Layer.effect(
    OutboundClient,
    Effect.gen(function* () {
      const text = yield* Config.String("ONAIR_OUTBOUND_ALLOWLIST").pipe(Config.withDefault(""))
      const allow = text.trim() === "" ? EMPTY_ALLOW_LIST : parseAllowList(text)
      if (typeof allow === "string") return yield* Effect.die(new Error(allow))
      if (allow.entries.length > 0) yield* Effect.logInfo(`outbound: allow-list admits ${allow.entries.join(", ")}`)
      return yield* OutboundClient.make(allow)
    })
  )
}
