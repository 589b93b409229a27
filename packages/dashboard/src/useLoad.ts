/** Loads data with `load`, again whenever `deps` change or `reload` is called; keeps the last good value. */
import { useCallback, useEffect, useRef, useState } from "react"

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
  useEffect(() => {
    const run = ++latest.current
    load().then(
      (loaded) => {
        if (run !== latest.current) return
        setValue(loaded)
        setError(undefined)
      },
      (caught: unknown) => {
        if (run === latest.current) setError(caught instanceof Error ? caught.message : String(caught))
      }
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { value, error, reload }
}
