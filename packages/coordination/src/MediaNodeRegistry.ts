/**
 * Media nodes as the control plane keeps them: each node's state (the catalog's `onair_media_nodes`, a
 * projection of the node's stream), its lease (`onair_media_node_leases`, written by its heartbeats: a
 * heartbeat is not an event, or the log would grow by one per node every few seconds) and the connections
 * it holds (`onair_ingests.node_id`).
 *
 * A lease that runs out is claimed by one control-plane process at a time (a row update is atomic across
 * replicas), and held for `claimMillis` so another process takes it over if the first one dies before it
 * has settled it.
 */
import { type Ingest, type MediaNode, type MediaNodeId, type MediaNodeStatus, mediaNodeStatus } from "@onair/core"
import { Context, Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { CatalogStates } from "@onair/catalog"

const { decodeIngest, decodeMediaNode, parsed } = CatalogStates

/** What a node reports about its load with each heartbeat. */
export interface MediaNodeLoad {
  /** Publishers it holds. */
  readonly streams: number
  /** Its machine's CPU in use, 0–1 of all cores. */
  readonly cpu: number
  /** Bits per second in (publishers) and out (HLS served). */
  readonly bandwidthIn: number
  readonly bandwidthOut: number
  /** Players that fetched HLS from it in the last 30 s (0 from nodes that do not say). */
  readonly viewers?: number | undefined
  /** Cores it has left for meeting composers (unknown from nodes that do not say). */
  readonly composerRoom?: number | undefined
}

export interface MediaNodeEntry {
  readonly node: MediaNode
  readonly status: MediaNodeStatus
  /** Its last heartbeat, epoch ms; null when it never sent one. */
  readonly heartbeatAt: number | null
  /** When its lease runs out, epoch ms. */
  readonly leaseExpiresAt: number | null
  readonly load: MediaNodeLoad | null
  /** Connections the catalog holds as connected on it. */
  readonly connected: number
}

/** Whether the node holds its lease at `at`: its boot is running (it may be drained). */
export const holdsLease = (entry: MediaNodeEntry, at: number): boolean =>
  entry.status !== "lost" && entry.leaseExpiresAt !== null && entry.leaseExpiresAt >= at

/** Whether placement may send new publishers to the node at `at`: holding its lease and not drained. */
export const takesPublishersAt = (entry: MediaNodeEntry, at: number): boolean =>
  entry.status === "active" && holdsLease(entry, at)

/** A node's lease as it stands. */
export interface LeaseState {
  readonly bootId: string
  readonly expiresAt: number
  /** Being (or done being) dealt with as run out: the boot must register again. */
  readonly lost: boolean
}

export interface ExpiredLease {
  readonly nodeId: MediaNodeId
  readonly bootId: string
}

const NO_LOAD: MediaNodeLoad = { streams: 0, cpu: 0, bandwidthIn: 0, bandwidthOut: 0 }

export class MediaNodeRegistry extends Context.Service<
  MediaNodeRegistry,
  {
    readonly nodes: Effect.Effect<ReadonlyArray<MediaNodeEntry>>
    readonly node: (id: MediaNodeId) => Effect.Effect<MediaNode | undefined>
    /** The connections the catalog holds as connected on the node. */
    readonly connectedOn: (id: MediaNodeId) => Effect.Effect<ReadonlyArray<Ingest>>
    readonly leaseOf: (id: MediaNodeId) => Effect.Effect<LeaseState | undefined>
    /** Gives boot `bootId` of the node a lease until `now + leaseMillis` (a registration). */
    readonly lease: (id: MediaNodeId, bootId: string, now: number, leaseMillis: number) => Effect.Effect<void>
    /** Renews the boot's lease; false when the boot holds none (unknown, replaced or lost). */
    readonly renew: (
      id: MediaNodeId,
      bootId: string,
      now: number,
      leaseMillis: number,
      load: MediaNodeLoad
    ) => Effect.Effect<boolean>
    /**
     * Connections still held as connected on a boot that does not hold its node's lease now, at most
     * `limit`: on a node with no lease at all (from before media nodes), on a boot whose lease was settled
     * as lost or given up, or on an earlier boot of the node (a restart whose own sweep was cut short). A
     * lease being settled right now is left to its settler.
     */
    readonly orphaned: (limit: number) => Effect.Effect<ReadonlyArray<Ingest>>
    /** Boot `bootId` gives its lease up (a clean stop): nothing is left to settle. */
    readonly release: (id: MediaNodeId, bootId: string) => Effect.Effect<void>
    /** Leases run out at `now` and not yet settled, claimed for `claimMillis`. */
    readonly claimExpired: (now: number, claimMillis: number) => Effect.Effect<ReadonlyArray<ExpiredLease>>
    /** The boot's expired lease is dealt with: its node is declared lost and its connections ended. */
    readonly settleExpired: (lease: ExpiredLease) => Effect.Effect<void>
  }
>()("@onair/catalog/MediaNodeRegistry") {
  static readonly make = Effect.gen(function* () {
    const sql = yield* SqlClient
    return MediaNodeRegistry.of({
      nodes: Effect.orDie(
        Effect.map(
          sql<{ state: unknown; heartbeat_at: unknown; expires_at: unknown; load: unknown; connected: unknown }>`
          SELECT n.state, l.heartbeat_at, l.expires_at, l.load,
            (SELECT count(*) FROM onair_ingests i WHERE i.connected AND i.node_id = n.id) AS connected
          FROM onair_media_nodes n LEFT JOIN onair_media_node_leases l ON l.node_id = n.id
          ORDER BY n.id`,
          (rows) =>
            rows.map((row): MediaNodeEntry => {
              const node = decodeMediaNode(row.state)
              return {
                node,
                status: mediaNodeStatus(node),
                heartbeatAt: row.heartbeat_at === null ? null : Number(row.heartbeat_at),
                leaseExpiresAt: row.expires_at === null ? null : Number(row.expires_at),
                load: row.load === null ? null : { ...NO_LOAD, ...(parsed(row.load) as Partial<MediaNodeLoad>) },
                connected: Number(row.connected)
              }
            })
        )
      ),
      node: (id) =>
        Effect.orDie(
          Effect.map(sql<{ state: unknown }>`SELECT state FROM onair_media_nodes WHERE id = ${id}`, (rows) =>
            rows[0] === undefined ? undefined : decodeMediaNode(rows[0].state)
          )
        ),
      connectedOn: (id) =>
        Effect.orDie(
          Effect.map(
            sql<{ state: unknown }>`SELECT state FROM onair_ingests WHERE connected AND node_id = ${id}`,
            (rows) => rows.map((row) => decodeIngest(row.state))
          )
        ),
      leaseOf: (id) =>
        Effect.orDie(
          Effect.map(
            sql<{ boot_id: string; expires_at: unknown; lost_claimed_until: unknown; lost_handled: boolean }>`
            SELECT boot_id, expires_at, lost_claimed_until, lost_handled FROM onair_media_node_leases WHERE node_id = ${id}`,
            (rows) => {
              const row = rows[0]
              if (row === undefined) return undefined
              return {
                bootId: row.boot_id,
                expiresAt: Number(row.expires_at),
                lost: row.lost_handled || row.lost_claimed_until !== null
              }
            }
          )
        ),
      lease: (id, bootId, now, leaseMillis) =>
        Effect.orDie(
          Effect.asVoid(sql`
          INSERT INTO onair_media_node_leases (node_id, boot_id, heartbeat_at, expires_at, load)
          VALUES (${id}, ${bootId}, ${now}, ${now + leaseMillis}, ${JSON.stringify(NO_LOAD)}::jsonb)
          ON CONFLICT (node_id) DO UPDATE SET boot_id = excluded.boot_id, heartbeat_at = excluded.heartbeat_at,
            expires_at = excluded.expires_at, load = excluded.load, lost_claimed_until = NULL, lost_handled = false`)
        ),
      renew: (id, bootId, now, leaseMillis, load) =>
        Effect.orDie(
          Effect.map(
            sql<{ node_id: string }>`
            UPDATE onair_media_node_leases
            SET heartbeat_at = ${now}, expires_at = ${now + leaseMillis}, load = ${JSON.stringify(load)}::jsonb
            WHERE node_id = ${id} AND boot_id = ${bootId} AND NOT lost_handled
              AND lost_claimed_until IS NULL
            RETURNING node_id`,
            (rows) => rows.length > 0
          )
        ),
      orphaned: (limit) =>
        Effect.orDie(
          Effect.map(
            sql<{ state: unknown }>`
            SELECT i.state FROM onair_ingests i
            LEFT JOIN onair_media_node_leases l ON l.node_id = i.node_id
            WHERE i.connected AND (
              l.node_id IS NULL
              OR l.lost_handled
              OR (NOT starts_with(i.id, i.node_id || '.' || l.boot_id || '.') AND l.lost_claimed_until IS NULL)
            )
            LIMIT ${limit}`,
            (rows) => rows.map((row) => decodeIngest(row.state))
          )
        ),
      release: (id, bootId) =>
        Effect.orDie(
          Effect.asVoid(sql`
          UPDATE onair_media_node_leases SET expires_at = 0, lost_handled = true
          WHERE node_id = ${id} AND boot_id = ${bootId}`)
        ),
      claimExpired: (now, claimMillis) =>
        Effect.orDie(
          Effect.map(
            sql<{ node_id: string; boot_id: string }>`
            UPDATE onair_media_node_leases SET lost_claimed_until = ${now + claimMillis}
            WHERE expires_at < ${now} AND NOT lost_handled
              AND (lost_claimed_until IS NULL OR lost_claimed_until < ${now})
            RETURNING node_id, boot_id`,
            (rows) => rows.map((row) => ({ nodeId: row.node_id as MediaNodeId, bootId: row.boot_id }))
          )
        ),
      settleExpired: (lease) =>
        Effect.orDie(
          Effect.asVoid(sql`
          UPDATE onair_media_node_leases SET lost_handled = true
          WHERE node_id = ${lease.nodeId} AND boot_id = ${lease.bootId}`)
        )
    })
  })

  static readonly layer = Layer.effect(MediaNodeRegistry, MediaNodeRegistry.make)
}
