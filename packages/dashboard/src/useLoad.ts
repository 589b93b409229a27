/** Loads data with `load`, again whenever `deps` change or `reload` is called; keeps the last good value. */
import { useCallback, useEffect, useRef, useState } from "react"
import { messageOf } from "./api.ts"

export interface Loaded<A> {
  readonly value: A | undefined
  readonly error: string | undefined
  readonly reload: () => void
}

export const useLoad = <A>(load: () => Promise<A>, deps: ReadonlyArray<unknown>): Loaded<A> => {
  const [value, setValue] = useState<A | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [tick, setTick] = useState(0)
  const latest = useRef(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps (and a reload's tick) say when to load again, not `load`, which is a new function on every render
  useEffect(() => {
    const run = ++latest.current
    load().then(
      (loaded) => {
        if (run !== latest.current) return
        setValue(loaded)
        setError(undefined)
      },
      (caught: unknown) => {
        if (run === latest.current) setError(messageOf(caught))
      }
    )
  }, [...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { value, error, reload }
}
