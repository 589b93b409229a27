/**
 * A node's failed attempts per recording folder (an upload, a transcript): how many, since when, and when
 * the next one is due, 1 s apart at first and doubling up to a cap. Kept in memory for the folders on disk
 * only (`keepOnly` each round), so it is bounded by them; a restart begins each folder's backoff afresh.
 */
const FIRST_RETRY_MILLIS = 1_000
const RETRY_CAP_MILLIS = 30_000
/** The cap once the failure was told (the files are kept and retried, less often). */
const RETRY_CAP_LONG_MILLIS = 300_000

/** The pause before attempt `count + 1`: doubling from 1 s, capped at 30 s (5 minutes with `longCap`). */
export const retryDelay = (count: number, longCap: boolean): number =>
  Math.min(FIRST_RETRY_MILLIS * 2 ** Math.max(0, count - 1), longCap ? RETRY_CAP_LONG_MILLIS : RETRY_CAP_MILLIS)

interface Attempts {
  readonly count: number
  readonly firstAt: number
  readonly nextAt: number
}

export class FolderRetries {
  private readonly attempts = new Map<string, Attempts>()

  /** Forgets the folders that are gone (done, or swept). */
  keepOnly(present: ReadonlySet<string>): void {
    for (const folder of this.attempts.keys()) if (!present.has(folder)) this.attempts.delete(folder)
  }

  /** Whether the folder's next attempt is due (a folder that never failed is). */
  isDue(folder: string, now: number): boolean {
    return (this.attempts.get(folder)?.nextAt ?? 0) <= now
  }

  /** How long the folder has been failing: 0 before its first failure. */
  failingFor(folder: string, now: number): number {
    return now - (this.attempts.get(folder)?.firstAt ?? now)
  }

  /** Records a failed attempt and schedules the next; the attempt's number. */
  failed(folder: string, now: number, longCap: boolean): number {
    const previous = this.attempts.get(folder)
    const count = (previous?.count ?? 0) + 1
    this.attempts.set(folder, { count, firstAt: previous?.firstAt ?? now, nextAt: now + retryDelay(count, longCap) })
    return count
  }

  /** No more attempts while the folder stays (nothing an attempt could change). */
  park(folder: string, now: number): void {
    this.attempts.set(folder, { count: 0, firstAt: now, nextAt: Number.MAX_SAFE_INTEGER })
  }

  forget(folder: string): void {
    this.attempts.delete(folder)
  }
}
