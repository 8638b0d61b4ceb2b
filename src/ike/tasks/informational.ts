// Incoming INFORMATIONAL requests (RFC 7296 §1.4): deletes, liveness
// checks (an empty request, §2.4) and notifications. Every request gets an
// answer, even one we ignore, or the peer will consider us dead.

import { NotifyType } from '../../wire/iana/notify-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { filterPayloads, type Payload } from '../../wire/payload.js';
import { effect } from '../effects.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { answerDeletes, dropChildren, response } from './delete.js';
import type { TaskResult } from './task.js';

export function answerInformational(sa: IkeSaData, messageId: number, payloads: readonly Payload[]): TaskResult {
  const deletes = answerDeletes(sa, messageId, payloads);
  if (deletes) return deletes;
  const send = { kind: 'send-response' as const, exchange: 'INFORMATIONAL', messageId, datagrams: [response(sa, messageId, [])] };
  const errors = filterPayloads(payloads, PayloadType.N).filter((n) => n.notifyType < 16384);
  if (errors.some((n) => n.notifyType === NotifyType.AUTHENTICATION_FAILED)) {
    // Sent by an initiator whose check of our AUTH failed (§2.21.2).
    const message = `peer ${sa.remote.address} reported AUTHENTICATION_FAILED for IKE SA '${sa.conn?.name ?? '?'}'`;
    return { effects: [...dropChildren(sa), send], failed: { code: 'AUTHENTICATION_FAILED', message } };
  }
  if (errors.length > 0) {
    return { effects: [send, effect.log(sa.id, 'warn', `peer ${sa.remote.address} sent error notify ${errors.map((n) => n.notifyType).join(', ')}`)] };
  }
  return { effects: [send] };
}
