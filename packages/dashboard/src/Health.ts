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

export interface StatusReading {
  readonly state: string
  /** Undefined until the first playlist (or with no publisher). */
  readonly health: Health | undefined
  readonly note: string | undefined
}

export const readStatus = async (session: Session, id: string): Promise<StatusReading> => {
  const answer = await api<any>(session, "POST", `/livestreams/${encodeURIComponent(id)}/getStatus`)
  const value = (answer?.value ?? [])[0] ?? {}
  const first: string | undefined = (value.healthDescriptions ?? [])[0]
  if (first === undefined) return { state: value.state ?? "Stopped", health: undefined, note: undefined }
  try {
    return { state: value.state, health: JSON.parse(first) as Health, note: undefined }
  } catch {
    return { state: value.state, health: undefined, note: first }
  }
}
