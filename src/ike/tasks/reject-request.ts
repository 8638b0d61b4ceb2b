// Answers to requests that fail to decode or break their exchange's payload
// rules (RFC 7296 §2.5, §2.21).
//
// - Unauthenticated garbage gets silence: answering it would make the daemon
//   a reflector for spoofed sources.
// - An IKE_SA_INIT that carries an unknown payload with the critical bit set
//   gets the unprotected N(UNSUPPORTED_CRITICAL_PAYLOAD) naming that type
//   (§2.5), like any other IKE_SA_INIT error answer.
// - A request whose ICV checked out gets an encrypted response of the same
//   exchange with the error (§2.21.3: once the IKE SA is authenticated every
//   request with an error is answered), INVALID_SYNTAX unless a more precise
//   notify applies (§3.10.1). A broken IKE_AUTH ends the half-made IKE SA;
//   on an established IKE SA the answer is all, so one bad request from a
//   peer does not cost its tunnels.

import { exchangeTypeName } from '../../wire/iana/exchange-types.js';
import { NotifyType, notifyTypeName } from '../../wire/iana/notify-types.js';
import type { IkeHeader } from '../../wire/header.js';
import { effect } from '../effects.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { encodePlain, protectedResponse, type OpenFailure } from '../protection.js';
import { notify, ZERO_SPI, type TaskResult } from './task.js';

/** The answer to a request that did not open; undefined: stay silent. */
export function rejectRequest(sa: IkeSaData, header: IkeHeader, failure: OpenFailure): TaskResult | undefined {
  const exchange = exchangeTypeName(header.exchangeType);
  const peer = sa.remote.address;
  if (sa.state.is('CREATED')) {
    if (failure.notify !== NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD) return undefined;
    const bytes = encodePlain(
      { spiI: sa.spiI, spiR: ZERO_SPI, exchangeType: header.exchangeType, messageId: header.messageId, initiator: false, response: true },
      [notify(NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, failure.notifyData)],
    );
    return {
      effects: [{ kind: 'send-response', exchange, messageId: header.messageId, datagrams: [bytes] }],
      failed: { code: 'UNSUPPORTED_CRITICAL_PAYLOAD', message: `${exchange} from ${peer} rejected: ${failure.detail}` },
    };
  }
  if (!failure.authenticated || !sa.skOut) return undefined;
  const type = failure.notify ?? NotifyType.INVALID_SYNTAX;
  const bytes = protectedResponse(sa, header.exchangeType, header.messageId, [notify(type, failure.notifyData)]);
  const message = `${exchange} request ${header.messageId} from ${peer} rejected with ${notifyTypeName(type)}: ${failure.detail}`;
  const effects = [{ kind: 'send-response' as const, exchange, messageId: header.messageId, datagrams: [bytes] }, effect.log(sa.id, 'warn', message)];
  return sa.state.is('INIT_ANSWERED') ? { effects, failed: { code: notifyTypeName(type), message } } : { effects };
}
