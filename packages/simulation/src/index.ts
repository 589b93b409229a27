/**
 * @onair/simulation: random interleavings of OnAir's signals folded through the core, with the core's
 * invariants checked after every step.
 */
export * from "./Driver.ts"
export * from "./Invariants.ts"
export * from "./Narrate.ts"
export * from "./Step.ts"
export * from "./World.ts"
