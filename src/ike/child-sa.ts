// One CHILD SA as the IKE SA tracks it: its negotiated parameters (what the
// kernel got) and its life-cycle state.

import type { ChildSaParams } from './child-params.js';
import { childSaStateMachine } from './child-sa-state.js';
import type { StateMachine } from './state-machine.js';
import type { ChildSaState } from './child-sa-state.js';
import type { ChildRekeyMarks } from './rekey/child-rekey.js';

export class ChildSa {
  readonly state: StateMachine<ChildSaState> = childSaStateMachine();
  installedAt?: Date;
  /** Clock time (ms) our rekey of it is due; undefined = we never rekey it. */
  rekeyAt?: number;
  /** Rekeys of it under way or done, by either side (collision rule). */
  rekey: ChildRekeyMarks = {};
  /** Installed without its outbound SA (we answered its rekey); rekey/outbound-handover.ts adds it. */
  outboundPending = false;
  constructor(readonly params: ChildSaParams) {}

  get id(): number {
    return this.params.childId;
  }
}
