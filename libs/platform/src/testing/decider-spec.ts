/**
 * Given/When/Then for deciders: given past events, when a command is decided, then
 * these events (or this error) result. Reads as the business rule it checks.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState: State;
}

export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(events: Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState);
      return {
        when(command: Command) {
          const decide = (): Event[] => decider.decide(command, state);
          return {
            then(expected: Event[]): void {
              expect(decide()).toEqual(expected);
            },
            thenThrows(matcher: string | RegExp | object): void {
              expect(decide).toThrow(matcher as never);
            },
          };
        },
      };
    },
  };
}
