/** Pages are named in the URL's fragment (`#/livestreams/<id>`): nothing about them reaches the server. */
import { useEffect, useState } from "react"

export type Route =
  | { readonly page: "livestreams" }
  | { readonly page: "livestream"; readonly id: string }
  | { readonly page: "webhooks" }
  | { readonly page: "analytics" }

export const parseRoute = (hash: string): Route => {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent)
  if (parts[0] === "livestreams" && parts[1] !== undefined) return { page: "livestream", id: parts[1] }
  if (parts[0] === "webhooks") return { page: "webhooks" }
  if (parts[0] === "analytics") return { page: "analytics" }
  return { page: "livestreams" }
}

export const hrefOf = (route: Route): string =>
  route.page === "livestream" ? `#/livestreams/${encodeURIComponent(route.id)}` : `#/${route.page}`

export const navigate = (route: Route) => {
  window.location.hash = hrefOf(route)
}

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash))
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash))
    window.addEventListener("hashchange", changed)
    return () => window.removeEventListener("hashchange", changed)
  }, [])
  return route
}
