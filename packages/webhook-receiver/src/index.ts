/**
 * @onair/webhooks: the receiver kit for OnAir's webhooks. Verify a delivery's Standard Webhooks signature
 * (both secrets during a rotation), decode its envelope into a typed event of the catalogue (seed 004's
 * names, OnAir's own and RealtimeKit's aliases), and apply each event once and in order per subject by
 * `webhook-id` and `sequence`. `makeReceiver` does all three; the pieces are exported on their own.
 */
export * from "./Envelope.ts"
export * from "./Receiver.ts"
export * from "./Sequencer.ts"
export * from "./Signature.ts"
