// One CHILD SA as the IKE SA tracks it: its negotiated parameters (what the
// kernel got) and its life-cycle state.

import type { ChildSaParams } from './child-params.js';
import { childSaStateMachine } from './child-sa-state.js';
import type { StateMachine } from './state-machine.js';
import type { ChildSaState } from './child-sa-state.js';

export class ChildSa {
  readonly state: StateMachine<ChildSaState> = childSaStateMachine();
  installedAt?: Date;
  constructor(readonly params: ChildSaParams) {}

  get id(): number {
    return this.params.childId;
  }
}
