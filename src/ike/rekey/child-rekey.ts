// Rekeying a CHILD SA, initiator side (RFC 7296 §1.3.3, §2.8): a
// CREATE_CHILD_SA exchange (child-exchange.ts) with N(REKEY_SA) naming the
// pair it replaces.
//
// Make-before-break: the new pair is installed (inbound SA first, then
// the outbound one, which the kernel prefers for the shared reqid) with
// the policies left in place; only then is the old pair deleted, with a
// Delete to the peer.

import type { Payload } from '../../wire/payload.js';
import type { ChildSaParams } from '../child-params.js';
import type { ChildSa } from '../child-sa.js';
import type { IkeSaData } from '../ike-sa-data.js';
import type { Failure, TaskEnv } from '../tasks/task.js';
import { effect, type Effect } from '../effects.js';
import { buildChildExchange, childFromExchangeResponse, shapeOf, spiHex, type ChildExchangePending } from './child-exchange.js';

/** Our outstanding rekey of one CHILD SA, kept until the answer arrives. */
export interface ChildRekeyPending extends ChildExchangePending {
  oldChildId: number;
}

/** What is known about rekeys of one CHILD SA (for the collision rule). */
export interface ChildRekeyMarks {
  /** We rekey it: our exchange's nonces once it completed. */
  ours?: { nonceI: Uint8Array; nonceR?: Uint8Array; newChildId?: number };
  /** The peer rekeyed it and we answered. */
  theirs?: { nonceI: Uint8Array; nonceR: Uint8Array; newChildId: number };
}

export function buildChildRekey(sa: IkeSaData, env: TaskEnv, old: ChildSa, spiIn: number): { effects: Effect[]; pending: ChildRekeyPending } | Failure {
  const built = buildChildExchange(sa, env, shapeOf(old.params), spiIn, old.params.spiIn);
  if ('code' in built) return built;
  return {
    pending: { ...built.pending, oldChildId: old.id },
    effects: [...built.effects, effect.log(sa.id, 'info', `rekeying CHILD SA ${spiHex(old.params.spiIn)} of conn '${sa.conn!.name}'`)],
  };
}

/** The peer's answer: the new pair's parameters, or why there is none. */
export function childFromRekeyResponse(sa: IkeSaData, env: TaskEnv, pending: ChildRekeyPending, old: ChildSa, payloads: readonly Payload[]): { child: ChildSaParams; nonceR: Uint8Array } | Failure {
  return childFromExchangeResponse(sa, env, pending, shapeOf(old.params), payloads, `rekey CHILD SA ${spiHex(old.params.spiIn)}`);
}

/**
 * After a rekey of ours completed: which CHILD SA we delete now. Without a
 * collision that is the old one; with one, the nonce rule decides.
 */
export function afterOurRekey(old: ChildSa, marks: ChildRekeyMarks, ourNew: number, loses: boolean): { deleteChildId: number; why: string } {
  if (!marks.theirs) return { deleteChildId: old.id, why: 'rekeyed' };
  return loses
    ? { deleteChildId: ourNew, why: 'rekey collision lost (lowest nonce in our exchange)' }
    : { deleteChildId: old.id, why: 'rekey collision won' };
}
