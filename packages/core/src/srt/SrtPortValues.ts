/**
 * An SRT listener port of the deployment: each livestream with SRT ingest holds one of the configured
 * range (`ONAIR_SRT_PORTS`) for as long as it keeps SRT on, and no two livestreams hold the same.
 */
import { Schema } from "effect"

export const SrtPortNumber = Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1024, maximum: 65_535 })))
export type SrtPortNumber = typeof SrtPortNumber.Type

export const SRT_PORT_CATEGORY = "srtPort"

/** The stream of one port's claims: `srtPort-<port>`. */
export const srtPortStream = (port: number): string => `${SRT_PORT_CATEGORY}-${port}`
