/** The publisher's health as `getStatus` reports it (the seed's live-event view). */
import { api, type Session } from "./api.ts"

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
  const answer = await api<any>(session, "POST", `/livestreams/${encodeURIComponent(id)}/getStatus`)
  const value = (answer?.value ?? [])[0] ?? {}
  const [first, second]: ReadonlyArray<string | undefined> = value.healthDescriptions ?? []
  if (first === undefined)
    return { state: value.state ?? "Stopped", health: undefined, renditions: [], note: undefined }
  try {
    const renditions = second === undefined ? [] : (JSON.parse(second) as ReadonlyArray<RenditionHealth>)
    return { state: value.state, health: JSON.parse(first) as Health, renditions, note: undefined }
  } catch {
    return { state: value.state, health: undefined, renditions: [], note: first }
  }
}
