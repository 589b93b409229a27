import type { Livestream } from "./api.ts"
import { isDisabled } from "./api.ts"

/** A livestream's status, in words and colour (the words carry the meaning; the colour helps). */
export const StatusBadge = ({ livestream }: { readonly livestream: Livestream }) => (
  <span className="badges">
    <span className={`badge status-${livestream.status.toLowerCase()}`} data-testid="status">
      {livestream.status}
    </span>
    {isDisabled(livestream) ? <span className="badge disabled">DISABLED</span> : null}
  </span>
)
