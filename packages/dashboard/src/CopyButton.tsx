import { useState } from "react"

/** Copies `value` to the clipboard and says so (to screen readers too). */
export const CopyButton = ({ label, value }: { readonly label: string; readonly value: string }) => {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value)
      setCopied(true)
      setTimeout(() => setCopied(false), 2000)
    } catch {
      setCopied(false)
    }
  }
  return (
    <button type="button" className="small" onClick={copy} aria-label={`Copy ${label}`}>
      <span aria-live="polite">{copied ? "Copied" : "Copy"}</span>
    </button>
  )
}
