/** A secret (a stream key) hidden until asked for, with a copy button. */
import { useState } from "react"
import { CopyButton } from "./CopyButton.tsx"

export const SecretValue = ({ label, value }: { readonly label: string; readonly value: string }) => {
  const [shown, setShown] = useState(false)
  return (
    <span className="secret">
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: the value is named for assistive technology and the browser test finds it by name; axe (WCAG 2.1 A and AA, in that test) accepts it */}
      <code aria-label={label}>{shown ? value : "•".repeat(16)}</code>
      <button type="button" className="small" aria-pressed={shown} onClick={() => setShown(!shown)}>
        {shown ? "Hide" : "Show"} {label}
      </button>
      <CopyButton label={label} value={value} />
    </span>
  )
}
