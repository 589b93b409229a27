/**
 * The answers the list handler (`GET …/livestreams`) built, kept so a repeat of the same request is
 * answered with the same bytes while they are still right. An answer is a function of the page the
 * catalog gave for the request's filter (the query fixes the filter, and nothing else goes in), and the
 * catalog's cache hands out the same page object until an event changes a list. So an answer is reused
 * only for the same account, app and query string, after the caller's token is checked, and only while
 * the catalog still gives the same page object; otherwise the handler answers and remembers again. The
 * lean read path (`FastReads`) asks here first; it never builds an answer of its own.
 */
import type { LivestreamFilter, Page } from "@onair/catalog"
import type { Livestream } from "@onair/core"
import { Context, Layer } from "effect"
import type { HttpServerResponse } from "effect/http"

/** Answers kept per process; past it the oldest is dropped. */
export const LIST_ANSWERS_LIMIT = 1_000

export interface ListAnswer {
  readonly filter: LivestreamFilter
  readonly page: Page<Livestream>
  readonly response: HttpServerResponse.HttpServerResponse
}

/** A request URL's query string as sent (without the `?`; empty when there is none). */
export const queryStringOf = (url: string): string => {
  const at = url.indexOf("?")
  return at === -1 ? "" : url.slice(at + 1)
}

/** The key of a request: its account, app and query string as sent. */
export const listAnswerKey = (accountId: string, appId: string, url: string) =>
  `${accountId}/${appId}?${queryStringOf(url)}`

export class ListAnswers extends Context.Service<
  ListAnswers,
  {
    readonly remember: (key: string, answer: ListAnswer) => void
    readonly recall: (key: string) => ListAnswer | undefined
  }
>()("@onair/adapters-http/ListAnswers") {
  static readonly layer = Layer.sync(ListAnswers, () => {
    const answers = new Map<string, ListAnswer>()
    return ListAnswers.of({
      remember: (key, answer) => {
        answers.delete(key)
        if (answers.size >= LIST_ANSWERS_LIMIT) answers.delete(answers.keys().next().value!)
        answers.set(key, answer)
      },
      recall: (key) => answers.get(key)
    })
  })
}
