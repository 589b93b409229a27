/** The publisher's health as `getStatus` reports it (the seed's live-event view). */
import { ofLivestream, onair, type Session } from "./api.ts"

export interface Health {
  readonly videoResolution: string
  readonly videoCodecId: string
  readonly audioCodecId: string
  readonly videoBitrate: number
  readonly audioBitrate: number
  readonly videoFps: number
  readonly protocolType: string
  readonly isSourceOnline: boolean
  readonly lastBitrateUpdate: number
}

/** One variant of an adaptive ladder (the second health description, in the seed's ABR form). */
export interface RenditionHealth {
  readonly name: string
  readonly videoResolution: string
  readonly bandwidth: string
}

export interface StatusReading {
  readonly state: string
  /** Undefined until the first playlist (or with no publisher). */
  readonly health: Health | undefined
  /** The ladder's variants, when one runs. */
  readonly renditions: ReadonlyArray<RenditionHealth>
  readonly note: string | undefined
}

export const readStatus = async (session: Session, id: string): Promise<StatusReading> => {
  // Seed 003's body as it is (no envelope): one value, its health descriptions JSON in strings.
  const [value] = (await onair(session).livestreams.getStatus({ params: ofLivestream(session, id) })).value
  const [first, second] = value.healthDescriptions
  if (first === undefined) return { state: value.state, health: undefined, renditions: [], note: undefined }
  try {
    const renditions = second === undefined ? [] : (JSON.parse(second) as ReadonlyArray<RenditionHealth>)
    return { state: value.state, health: JSON.parse(first) as Health, renditions, note: undefined }
  } catch {
    return { state: value.state, health: undefined, renditions: [], note: first }
  }
}
