/**
 * Gauges sampled when `/metrics` is scraped, written in the Prometheus text format (0.0.4) beside Effect's
 * own metrics: for values read from the database or the process at that moment, whose label sets (one
 * per connected publisher, say) must not stay in a registry after they are gone.
 */

export interface Sample {
  readonly labels?: Readonly<Record<string, string>>
  readonly value: number
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const formatValue = (value: number) =>
  Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value)

/** A sample's labels as the format writes them: `{key="value",…}`, or nothing without labels. */
export const labelText = (labels: Readonly<Record<string, string>>): string => {
  const entries = Object.entries(labels)
  return entries.length === 0 ? "" : `{${entries.map(([key, value]) => `${key}="${escapeLabel(value)}"`).join(",")}}`
}

/** A family's help and type lines. */
export const header = (name: string, type: "gauge" | "counter" | "histogram", help: string): string =>
  `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`

/** One metric family: its help, its type, and a line per sample. */
export const family = (name: string, type: "gauge" | "counter", help: string, samples: ReadonlyArray<Sample>): string =>
  header(name, type, help) +
  samples.map((sample) => `${name}${labelText(sample.labels ?? {})} ${formatValue(sample.value)}\n`).join("")
