/**
 * The app's livestreams: searched by name or ID, filtered by status, paged, newest first; live status
 * follows the event feed without a reload. Create one here; it opens at once.
 */
import { type FormEvent, useEffect, useState } from "react"
import { type Livestream, messageOf, onair, type Paging, scope, type Session } from "./api.ts"
import { useFeed } from "./LiveFeed.tsx"
import { hrefOf, navigate } from "./route.ts"
import { StatusBadge } from "./StatusBadge.tsx"
import { useLoad } from "./useLoad.ts"

const PER_PAGE = 20
const STATUSES = ["", "LIVE", "IDLE", "INVOKED", "ERRORED", "OFFLINE"] as const

interface Page {
  readonly livestreams: ReadonlyArray<Livestream>
  readonly paging: Paging
}

const when = (iso: string) => new Date(iso).toLocaleString()

export const LivestreamsPage = ({ session }: { readonly session: Session }) => {
  const [typed, setTyped] = useState("")
  const [search, setSearch] = useState("")
  const [status, setStatus] = useState("")
  const [pageNo, setPageNo] = useState(1)
  const [name, setName] = useState("")
  const [createError, setCreateError] = useState<string | undefined>(undefined)

  // Search as the operator types, once they pause.
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(typed.trim())
      setPageNo(1)
    }, 250)
    return () => clearTimeout(timer)
  }, [typed])

  const page = useLoad<Page>(
    async () =>
      (
        await onair(session).livestreams.getAllLivestreams({
          params: scope(session),
          query: {
            page_no: pageNo,
            per_page: PER_PAGE,
            ...(search === "" ? {} : { search }),
            ...(status === "" ? {} : { status: status as Livestream["status"] })
          }
        })
      ).data,
    [session, pageNo, search, status]
  )
  useFeed((message) => message.type.startsWith("livestream.") || message.type.startsWith("ingest."), page.reload)

  const create = async (event: FormEvent) => {
    event.preventDefault()
    setCreateError(undefined)
    try {
      const created = await onair(session).livestreams.createIndependentLivestream({
        params: scope(session),
        headers: {},
        payload: name.trim() === "" ? {} : { name: name.trim() }
      })
      setName("")
      navigate({ page: "livestream", id: created.data.id })
    } catch (caught) {
      setCreateError(messageOf(caught))
    }
  }

  const total = page.value?.paging.total_count ?? 0
  const pages = Math.max(1, Math.ceil(total / PER_PAGE))
  return (
    <section aria-labelledby="livestreams-title">
      <h1 id="livestreams-title">Livestreams</h1>
      <form className="row" onSubmit={create} aria-label="Create a livestream">
        <label>
          New livestream name
          <input
            name="name"
            value={name}
            maxLength={255}
            onChange={(e) => setName(e.target.value)}
            placeholder="Launch keynote"
          />
        </label>
        <button type="submit">Create livestream</button>
        {createError === undefined ? null : (
          <p role="alert" className="error">
            {createError}
          </p>
        )}
      </form>
      <div className="row filters">
        <label>
          Search
          <input
            type="search"
            name="search"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            placeholder="Name or ID"
          />
        </label>
        <label>
          Status
          <select
            name="status"
            value={status}
            onChange={(e) => {
              setStatus(e.target.value)
              setPageNo(1)
            }}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === "" ? "Any" : s}
              </option>
            ))}
          </select>
        </label>
      </div>
      {page.error === undefined ? null : (
        <p role="alert" className="error">
          {page.error}
        </p>
      )}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Livestreams, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col" className="hide-narrow">
                Created
              </th>
              <th scope="col" className="hide-narrow">
                ID
              </th>
            </tr>
          </thead>
          <tbody>
            {(page.value?.livestreams ?? []).map((livestream) => (
              <tr key={livestream.id} data-livestream={livestream.id}>
                <td>
                  <a href={hrefOf({ page: "livestream", id: livestream.id })}>{livestream.name ?? "(no name)"}</a>
                </td>
                <td>
                  <StatusBadge livestream={livestream} />
                </td>
                <td className="hide-narrow">{when(livestream.created_at)}</td>
                <td className="hide-narrow">
                  <code>{livestream.id}</code>
                </td>
              </tr>
            ))}
            {page.value !== undefined && page.value.livestreams.length === 0 ? (
              <tr>
                <td colSpan={4}>No livestreams{search === "" && status === "" ? " yet" : " match"}.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <nav className="row pager" aria-label="Pages">
        <button type="button" disabled={pageNo <= 1} onClick={() => setPageNo(pageNo - 1)}>
          Previous
        </button>
        <span>
          Page {pageNo} of {pages} · {total} livestreams
        </span>
        <button type="button" disabled={pageNo >= pages} onClick={() => setPageNo(pageNo + 1)}>
          Next
        </button>
      </nav>
    </section>
  )
}
