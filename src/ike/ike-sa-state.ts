// IKE SA life cycle. Initiator: CREATED -> INIT_SENT -> AUTH_SENT ->
// ESTABLISHED. Responder: CREATED -> INIT_ANSWERED -> ESTABLISHED.
// INIT_SENT loops on itself when IKE_SA_INIT restarts (COOKIE,
// INVALID_KE_PAYLOAD). Any state can fail to DESTROYED; an established SA
// goes through DELETING (our INFORMATIONAL Delete in flight) first.

import { StateMachine } from './state-machine.js';

export type IkeSaState =
  | 'CREATED'
  | 'INIT_SENT'
  | 'INIT_ANSWERED'
  | 'AUTH_SENT'
  | 'ESTABLISHED'
  | 'DELETING'
  | 'DESTROYED';

const transitions: Record<IkeSaState, readonly IkeSaState[]> = {
  CREATED: ['INIT_SENT', 'INIT_ANSWERED', 'DESTROYED'],
  INIT_SENT: ['INIT_SENT', 'AUTH_SENT', 'DESTROYED'],
  INIT_ANSWERED: ['ESTABLISHED', 'DESTROYED'],
  AUTH_SENT: ['ESTABLISHED', 'DELETING', 'DESTROYED'],
  ESTABLISHED: ['DELETING', 'DESTROYED'],
  DELETING: ['DESTROYED'],
  DESTROYED: [],
};

export function ikeSaStateMachine(): StateMachine<IkeSaState> {
  return new StateMachine<IkeSaState>('IKE SA', 'CREATED', transitions);
}

/** The coarse state shown by `ipsec status`. */
export function ikeStatusName(state: IkeSaState): string {
  switch (state) {
    case 'CREATED':
    case 'INIT_SENT':
    case 'INIT_ANSWERED':
    case 'AUTH_SENT':
      return 'CONNECTING';
    default:
      return state;
  }
}
