/**
 * Secrets (stream keys, passphrases, one-time tokens) masked in what a process said, by whole values only:
 * an occurrence counts when no character that could continue a value stands next to it. Replacing every
 * occurrence of a short secret's text would reveal it by what went missing ("not <secret>nown" for "k").
 * A secret is also masked as it appears percent-encoded in a URL.
 */

/** Characters that continue a value: a secret found between two of them is part of another word. */
const CONTINUES = "A-Za-z0-9_~%+\\-"

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** One pattern for `secrets`, longest first (so a secret inside a longer one does not cut it); null for none. */
export const secretPattern = (secrets: ReadonlyArray<string>): RegExp | null => {
  const forms = new Set<string>()
  for (const secret of secrets) {
    if (secret === "") continue
    forms.add(secret)
    forms.add(encodeURIComponent(secret))
  }
  if (forms.size === 0) return null
  const alternatives = [...forms]
    .sort((a, b) => b.length - a.length)
    .map(escaped)
    .join("|")
  return new RegExp(`(?<![${CONTINUES}])(?:${alternatives})(?![${CONTINUES}])`, "g")
}

/** `text` with every whole occurrence of a secret replaced by `mask`. */
export const maskSecrets = (text: string, pattern: RegExp | null, mask = "<secret>"): string =>
  pattern === null ? text : text.replace(pattern, mask)

/**
 * The tail of what a process said, at most `max` characters, with secrets masked. The raw text is kept a
 * secret's length beyond the tail, so a secret cut by the tail's start is still masked whole.
 */
export class MaskedTail {
  private raw = ""
  private readonly pattern: RegExp | null
  private readonly keep: number
  private readonly max: number
  private readonly mask: string

  constructor(secrets: ReadonlyArray<string>, max: number, mask = "<secret>") {
    this.pattern = secretPattern(secrets)
    this.max = max
    this.mask = mask
    this.keep = max + Math.max(0, ...secrets.map((secret) => encodeURIComponent(secret).length))
  }

  add(chunk: string): void {
    this.raw = (this.raw + chunk).slice(-this.keep)
  }

  get text(): string {
    return maskSecrets(this.raw, this.pattern, this.mask).slice(-this.max)
  }
}
