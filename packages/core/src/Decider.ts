/**
 * The decider shape (Emmett, Chassaing): `decide` turns a command and the current state into the events
 * that record what happened, or a typed error that says which rule the command broke; `evolve` folds one
 * event into the state. Both are pure: time and ids arrive on the command.
 */
import { Result } from "effect"

export interface Decider<Command, Event, State, Error> {
  readonly initialState: State
  readonly decide: (command: Command, state: State) => Result.Result<ReadonlyArray<Event>, Error>
  readonly evolve: (state: State, event: Event) => State
}

/** Rebuilds a state from events, from the initial state unless another is given. */
export const fold = <C, E, S, X>(
  decider: Decider<C, E, S, X>,
  events: Iterable<E>,
  from: S = decider.initialState
): S => {
  let state = from
  for (const event of events) state = decider.evolve(state, event)
  return state
}

export interface Decided<Event, State> {
  readonly events: ReadonlyArray<Event>
  readonly state: State
}

/** Decides and folds the events into the state in one step. */
export const run = <C, E, S, X>(decider: Decider<C, E, S, X>, state: S, command: C): Result.Result<Decided<E, S>, X> =>
  Result.map(decider.decide(command, state), (events) => ({ events, state: fold(decider, events, state) }))
