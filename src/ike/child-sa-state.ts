// CHILD SA life cycle: negotiated (keys known) -> INSTALLING (kernel calls
// under way) -> INSTALLED; DELETING while the Delete is exchanged and the
// kernel state removed; FAILED when installation failed (nothing of it is
// left in the kernel).

import { StateMachine } from './state-machine.js';

export type ChildSaState = 'NEGOTIATED' | 'INSTALLING' | 'INSTALLED' | 'DELETING' | 'DELETED' | 'FAILED';

const transitions: Record<ChildSaState, readonly ChildSaState[]> = {
  NEGOTIATED: ['INSTALLING', 'FAILED', 'DELETED'],
  INSTALLING: ['INSTALLED', 'FAILED'],
  INSTALLED: ['DELETING', 'DELETED'],
  DELETING: ['DELETED'],
  DELETED: [],
  FAILED: [],
};

export function childSaStateMachine(): StateMachine<ChildSaState> {
  return new StateMachine<ChildSaState>('CHILD SA', 'NEGOTIATED', transitions);
}
