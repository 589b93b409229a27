/**
 * WebRTC offers (WHIP, WHEP) being decided at once, on the node and per client address. Deciding an offer
 * waits on the control plane or on ICE, so a client that sends offers faster than they are decided would
 * otherwise queue without bound. Bounded itself: an address is kept only while it has an offer pending,
 * and no more than `maxTotal` are pending at once.
 */
export class PendingOffers {
  private total = 0
  private readonly byAddress = new Map<string, number>()
  private readonly maxTotal: number
  private readonly maxPerAddress: number

  private readonly what: string

  /** `what` names the offers in a refusal's reason (`WHIP`, `WHEP`). */
  constructor(maxTotal: number, maxPerAddress: number, what = "WHIP") {
    this.maxTotal = maxTotal
    this.maxPerAddress = maxPerAddress
    this.what = what
  }

  /** Takes a place for an offer from `address`; why not, when there is none. */
  admit(address: string): { readonly admitted: true } | { readonly admitted: false; readonly why: string } {
    if (this.total >= this.maxTotal) {
      return { admitted: false, why: `this media node decides ${this.maxTotal} ${this.what} offers at once` }
    }
    const mine = this.byAddress.get(address) ?? 0
    if (mine >= this.maxPerAddress) {
      return {
        admitted: false,
        why: `this media node decides ${this.maxPerAddress} ${this.what} offers at once from one address`
      }
    }
    this.total += 1
    this.byAddress.set(address, mine + 1)
    return { admitted: true }
  }

  /** Gives back the place an admitted offer from `address` held. */
  release(address: string): void {
    const mine = this.byAddress.get(address) ?? 0
    if (mine === 0) return
    this.total -= 1
    if (mine === 1) this.byAddress.delete(address)
    else this.byAddress.set(address, mine - 1)
  }

  /** Offers being decided now. */
  get pending(): number {
    return this.total
  }
}
