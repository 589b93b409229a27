/**
 * Reading fragmented MP4 (ISO/IEC 14496-12) as ffmpeg writes it on a pipe (`-movflags
 * frag_keyframe+empty_moov+default_base_moof`): whole top-level boxes out of a byte stream, the tracks of
 * the `moov` (id, kind, timescale, `trex` defaults), and of each `moof` when each track's samples start, how
 * long they last and whether the first is a sync sample. Only what the packager needs to cut parts and
 * segments; the bytes themselves are passed on as they came.
 */

/** One top-level box: its four-character type and its whole bytes (header included). */
export interface Box {
  readonly type: string
  readonly bytes: Uint8Array
}

/** A box larger than this is refused: no part of a live stream comes near it. */
export const MAX_BOX_BYTES = 64 * 1024 * 1024

/** The stream is not fragmented MP4 as expected: the packager stops and is restarted. */
export class Fmp4Malformed extends Error {
  override readonly name = "Fmp4Malformed"
}

const fourCc = (bytes: Uint8Array, at: number) => String.fromCharCode(...bytes.subarray(at, at + 4))

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Cuts a byte stream into whole top-level boxes, keeping at most one unfinished box. */
export class BoxSplitter {
  private pending: Array<Uint8Array> = []
  private pendingBytes = 0

  /** Takes the next bytes; answers the boxes they complete, in order. */
  push(chunk: Uint8Array): ReadonlyArray<Box> {
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    const boxes: Array<Box> = []
    let buffer = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes)
    let at = 0
    while (buffer.length - at >= 8) {
      const header = view(buffer.subarray(at))
      let size = header.getUint32(0)
      if (size === 1) {
        if (buffer.length - at < 16) break
        size = Number(header.getBigUint64(8))
      }
      if (size < 8 || size > MAX_BOX_BYTES) {
        throw new Fmp4Malformed(`a box of ${size} bytes (${fourCc(buffer, at + 4)})`)
      }
      if (buffer.length - at < size) break
      boxes.push({ type: fourCc(buffer, at + 4), bytes: buffer.subarray(at, at + size) })
      at += size
    }
    buffer = buffer.subarray(at)
    this.pending = buffer.length === 0 ? [] : [buffer]
    this.pendingBytes = buffer.length
    return boxes
  }
}

/** The child boxes of `bytes` from `start` (a box's payload, or past a full box's version and flags). */
const children = (bytes: Uint8Array, start: number): ReadonlyArray<Box> => {
  const found: Array<Box> = []
  let at = start
  while (bytes.length - at >= 8) {
    const size = view(bytes.subarray(at)).getUint32(0)
    if (size < 8 || at + size > bytes.length) throw new Fmp4Malformed(`a child box of ${size} bytes`)
    found.push({ type: fourCc(bytes, at + 4), bytes: bytes.subarray(at, at + size) })
    at += size
  }
  return found
}

const child = (box: Box, type: string, start = 8): Box | undefined =>
  children(box.bytes, start).find((inner) => inner.type === type)

const path = (box: Box, ...types: ReadonlyArray<string>): Box | undefined =>
  types.reduce<Box | undefined>((found, type) => (found === undefined ? undefined : child(found, type)), box)

/** A sample flags word's `sample_is_non_sync_sample` bit. */
const NON_SYNC = 0x0001_0000

export interface Track {
  readonly id: number
  /** `vide`, `soun`, or another handler type. */
  readonly kind: string
  readonly timescale: number
  readonly defaultDuration: number
  readonly defaultFlags: number
}

/** The tracks an initialisation segment (`moov`) declares. */
export const readTracks = (moov: Box): ReadonlyArray<Track> => {
  const defaults = new Map<number, { duration: number; flags: number }>()
  const mvex = child(moov, "mvex")
  if (mvex !== undefined) {
    for (const trex of children(mvex.bytes, 8).filter((box) => box.type === "trex")) {
      const fields = view(trex.bytes)
      defaults.set(fields.getUint32(12), { duration: fields.getUint32(20), flags: fields.getUint32(28) })
    }
  }
  return children(moov.bytes, 8)
    .filter((box) => box.type === "trak")
    .map((trak) => {
      const tkhd = child(trak, "tkhd")
      const mdhd = path(trak, "mdia", "mdhd")
      const hdlr = path(trak, "mdia", "hdlr")
      if (tkhd === undefined || mdhd === undefined || hdlr === undefined)
        throw new Fmp4Malformed("a trak without tkhd, mdhd or hdlr")
      const id = view(tkhd.bytes).getUint32(tkhd.bytes[8] === 1 ? 28 : 20)
      const timescale = view(mdhd.bytes).getUint32(mdhd.bytes[8] === 1 ? 28 : 20)
      const found = defaults.get(id)
      return {
        id,
        kind: fourCc(hdlr.bytes, 16),
        timescale,
        defaultDuration: found?.duration ?? 0,
        defaultFlags: found?.flags ?? 0
      }
    })
}

/** What one track holds in one fragment. */
export interface TrackRun {
  readonly trackId: number
  /** When its first sample decodes, in the track's timescale. */
  readonly start: number
  /** Its samples' durations added up, in the track's timescale. */
  readonly duration: number
  readonly samples: number
  /** Whether its first sample is a sync sample (a keyframe, for video). */
  readonly startsWithSync: boolean
}

/** Each track's run in a fragment's `moof`. */
export const readFragment = (moof: Box, tracks: ReadonlyArray<Track>): ReadonlyArray<TrackRun> =>
  children(moof.bytes, 8)
    .filter((box) => box.type === "traf")
    .map((traf) => {
      const tfhd = child(traf, "tfhd")
      if (tfhd === undefined) throw new Fmp4Malformed("a traf without tfhd")
      const header = view(tfhd.bytes)
      const tfhdFlags = header.getUint32(8) & 0xff_ffff
      const trackId = header.getUint32(12)
      const track = tracks.find((candidate) => candidate.id === trackId)
      let at = 16
      if (tfhdFlags & 0x01) at += 8
      if (tfhdFlags & 0x02) at += 4
      let defaultDuration = track?.defaultDuration ?? 0
      if (tfhdFlags & 0x08) {
        defaultDuration = header.getUint32(at)
        at += 4
      }
      if (tfhdFlags & 0x10) at += 4
      let defaultFlags = track?.defaultFlags ?? 0
      if (tfhdFlags & 0x20) defaultFlags = header.getUint32(at)

      const tfdt = child(traf, "tfdt")
      let start = 0
      if (tfdt !== undefined) {
        const fields = view(tfdt.bytes)
        start = tfdt.bytes[8] === 1 ? Number(fields.getBigUint64(12)) : fields.getUint32(12)
      }
      let duration = 0
      let samples = 0
      let firstFlags: number | null = null
      for (const trun of children(traf.bytes, 8).filter((box) => box.type === "trun")) {
        const fields = view(trun.bytes)
        const flags = fields.getUint32(8) & 0xff_ffff
        const count = fields.getUint32(12)
        let offset = 16
        if (flags & 0x001) offset += 4
        let firstSampleFlags: number | null = null
        if (flags & 0x004) {
          firstSampleFlags = fields.getUint32(offset)
          offset += 4
        }
        const perSample = [0x100, 0x200, 0x400, 0x800].filter((bit) => flags & bit).length * 4
        if (offset + count * perSample > trun.bytes.length) throw new Fmp4Malformed("a trun past its box")
        for (let index = 0; index < count; index++) {
          let sampleOffset = offset + index * perSample
          const sampleDuration = flags & 0x100 ? fields.getUint32(sampleOffset) : defaultDuration
          if (flags & 0x100) sampleOffset += 4
          duration += sampleDuration
          if (flags & 0x200) sampleOffset += 4
          const sampleFlags = flags & 0x400 ? fields.getUint32(sampleOffset) : defaultFlags
          if (samples + index === 0)
            firstFlags = index === 0 && firstSampleFlags !== null ? firstSampleFlags : sampleFlags
        }
        samples += count
      }
      return {
        trackId,
        start,
        duration,
        samples,
        startsWithSync: firstFlags !== null && (firstFlags & NON_SYNC) === 0
      }
    })

/**
 * The H.264 codec string (RFC 6381, `avc1.PPCCLL`) of an initialisation segment's video, from its `avcC`
 * record's profile, constraints and level; null when it has none.
 */
export const avcCodecId = (init: Uint8Array): string | null => {
  const bytes = Buffer.from(init.buffer, init.byteOffset, init.byteLength)
  const at = bytes.indexOf("avcC", 0, "latin1")
  if (at < 0 || at + 8 > bytes.length) return null
  // avcC: configurationVersion, then profile_idc, constraint flags, level_idc.
  const hex = (offset: number) => bytes[at + 4 + offset]!.toString(16).padStart(2, "0")
  return `avc1.${hex(1)}${hex(2)}${hex(3)}`
}
