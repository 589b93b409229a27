/** The live preview: the livestream's HLS playback URL in hls.js (or the browser's own HLS where it has it). */
import Hls from "hls.js"
import { useEffect, useRef } from "react"

export const Preview = ({ url, title }: { readonly url: string; readonly title: string }) => {
  const video = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const element = video.current
    if (element === null) return
    if (Hls.isSupported()) {
      const hls = new Hls({ liveSyncDurationCount: 2, enableWorker: true })
      hls.loadSource(url)
      hls.attachMedia(element)
      hls.on(Hls.Events.MANIFEST_PARSED, () => void element.play().catch(() => undefined))
      // A live stream's playlist can 404 for a moment between sessions: try again rather than give up.
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (data.fatal) setTimeout(() => hls.loadSource(url), 2000)
      })
      return () => hls.destroy()
    }
    element.src = url
    void element.play().catch(() => undefined)
    return () => element.removeAttribute("src")
  }, [url])
  return (
    <video
      ref={video}
      className="preview"
      muted
      playsInline
      controls
      aria-label={`Live preview of ${title}`}
      data-testid="preview"
    />
  )
}
