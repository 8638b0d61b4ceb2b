// A tiny explicit state machine: the legal transitions are data, and an
// illegal one throws with both states named, so a logic error shows up as
// a clear failure instead of a silently inconsistent SA.

export class IllegalTransition extends Error {
  readonly code = 'ERR_ILLEGAL_TRANSITION';
  constructor(what: string, from: string, to: string) {
    super(`${what}: illegal transition ${from} -> ${to}`);
  }
}

export class StateMachine<S extends string> {
  private current: S;
  private readonly history: S[] = [];
  constructor(
    private readonly what: string,
    initial: S,
    private readonly transitions: Readonly<Record<S, readonly S[]>>,
  ) {
    this.current = initial;
    this.history.push(initial);
  }
  get state(): S {
    return this.current;
  }
  is(...states: S[]): boolean {
    return states.includes(this.current);
  }
  can(to: S): boolean {
    return this.transitions[this.current].includes(to);
  }
  to(next: S): void {
    if (!this.can(next)) throw new IllegalTransition(this.what, this.current, next);
    this.current = next;
    this.history.push(next);
  }
  /** Every state visited, for tests and debug logs. */
  get path(): readonly S[] {
    return this.history;
  }
}
