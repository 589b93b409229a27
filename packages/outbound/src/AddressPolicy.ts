/**
 * Which addresses a request to a user-given URL may connect to. Refused: everything that is not the
 * public internet (loopback, unspecified, private RFC 1918, carrier-grade NAT, link-local and the cloud
 * metadata address with it, benchmarking, documentation, IETF protocol assignments, multicast, reserved,
 * broadcast; unique-local, site-local, link-local and multicast IPv6; the IPv6 forms that embed an IPv4
 * address: mapped, compatible, NAT64, 6to4, Teredo), unless the operator's allow-list admits it.
 *
 * Node's `BlockList` applies the IPv4 rules to IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) as well.
 */
import { BlockList, isIP } from "node:net"

type Family = "ipv4" | "ipv6"

const BLOCKED: ReadonlyArray<readonly [string, number, Family, string]> = [
  ["0.0.0.0", 8, "ipv4", "unspecified"],
  ["10.0.0.0", 8, "ipv4", "private"],
  ["100.64.0.0", 10, "ipv4", "carrier-grade NAT"],
  ["127.0.0.0", 8, "ipv4", "loopback"],
  ["169.254.0.0", 16, "ipv4", "link-local"],
  ["172.16.0.0", 12, "ipv4", "private"],
  ["192.0.0.0", 24, "ipv4", "IETF protocol assignments"],
  ["192.0.2.0", 24, "ipv4", "documentation"],
  ["192.88.99.0", 24, "ipv4", "6to4 relay"],
  ["192.168.0.0", 16, "ipv4", "private"],
  ["198.18.0.0", 15, "ipv4", "benchmarking"],
  ["198.51.100.0", 24, "ipv4", "documentation"],
  ["203.0.113.0", 24, "ipv4", "documentation"],
  ["224.0.0.0", 4, "ipv4", "multicast"],
  ["240.0.0.0", 4, "ipv4", "reserved"],
  ["::", 128, "ipv6", "unspecified"],
  ["::1", 128, "ipv6", "loopback"],
  // IPv4-compatible (deprecated) forms; mapped ones (::ffff:0:0/96) are checked as IPv4 by BlockList.
  ["::", 96, "ipv6", "IPv4-compatible"],
  ["64:ff9b::", 96, "ipv6", "NAT64"],
  ["64:ff9b:1::", 48, "ipv6", "NAT64"],
  ["100::", 64, "ipv6", "discard"],
  ["2001::", 32, "ipv6", "Teredo"],
  ["2001:db8::", 32, "ipv6", "documentation"],
  ["2002::", 16, "ipv6", "6to4"],
  ["fc00::", 7, "ipv6", "unique-local"],
  ["fe80::", 10, "ipv6", "link-local"],
  ["fec0::", 10, "ipv6", "site-local"],
  ["ff00::", 8, "ipv6", "multicast"]
]

const blocked = BLOCKED.map(([network, prefix, family, reason]) => {
  const list = new BlockList()
  list.addSubnet(network, prefix, family)
  return { list, reason }
})

export const familyOf = (address: string): Family | undefined => {
  const version = isIP(address)
  return version === 4 ? "ipv4" : version === 6 ? "ipv6" : undefined
}

/** Why `address` is not on the public internet, or undefined when it is. */
export const nonPublicReason = (address: string): string | undefined => {
  const family = familyOf(address)
  if (family === undefined) return "not an IP address"
  if (address === "255.255.255.255") return "broadcast"
  return blocked.find(({ list }) => list.check(address, family))?.reason
}

/** The operator's allow-list (`ONAIR_OUTBOUND_ALLOWLIST`): CIDRs, and host names (`.corp.example`: its subdomains). */
export interface AllowList {
  readonly networks: BlockList
  readonly hosts: ReadonlyArray<string>
  /** The entries as given, for the log. */
  readonly entries: ReadonlyArray<string>
}

const HOST_NAME = /^\.?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/

/** Parses the allow-list; a message naming the entry when one is neither a CIDR nor a host name. */
export const parseAllowList = (text: string): AllowList | string => {
  const networks = new BlockList()
  const hosts: Array<string> = []
  const entries = text
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "")
  for (const entry of entries) {
    const [address = "", prefixText, ...rest] = entry.split("/")
    const family = familyOf(address)
    if (family !== undefined) {
      const maximum = family === "ipv4" ? 32 : 128
      const prefix = prefixText === undefined ? maximum : Number(prefixText)
      if (rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > maximum) {
        return `ONAIR_OUTBOUND_ALLOWLIST: ${entry} is not a CIDR`
      }
      networks.addSubnet(address, prefix, family)
    } else if (prefixText === undefined && HOST_NAME.test(entry)) {
      hosts.push(entry)
    } else {
      return `ONAIR_OUTBOUND_ALLOWLIST: ${entry} is neither a CIDR nor a host name`
    }
  }
  return { networks, hosts, entries }
}

export const EMPTY_ALLOW_LIST: AllowList = { networks: new BlockList(), hosts: [], entries: [] }

export const allowsHost = (allow: AllowList, host: string): boolean =>
  allow.hosts.some((entry) => (entry.startsWith(".") ? host.endsWith(entry) : host === entry))

export const allowsAddress = (allow: AllowList, address: string): boolean => {
  const family = familyOf(address)
  return family !== undefined && allow.networks.check(address, family)
}
