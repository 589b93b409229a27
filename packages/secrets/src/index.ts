export * from "./SameSecret.ts"
