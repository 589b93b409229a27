/**
 * The cores a node's adaptive ladders may take together (`ONAIR_ABR_CPU_CORES`), shared by the ladders of
 * standard HLS (`LadderWorkers`) and those the packager encodes for low-latency HLS (`Packagers`): a ladder
 * is taken in whole or refused, and given back when its session's worker stops.
 */
export class LadderBudget {
  private readonly taken = new Map<string, number>()
  readonly cores: number

  constructor(cores: number) {
    this.cores = cores
  }

  /** Cores taken now. */
  get used(): number {
    let sum = 0
    for (const cost of this.taken.values()) sum += cost
    return sum
  }

  /** Takes `cost` cores for `owner` when they fit beside what is taken (an owner's earlier share is replaced). */
  take(owner: string, cost: number): boolean {
    const others = this.used - (this.taken.get(owner) ?? 0)
    if (others + cost > this.cores) return false
    this.taken.set(owner, cost)
    return true
  }

  /** Gives `owner`'s share back. */
  give(owner: string): void {
    this.taken.delete(owner)
  }
}
