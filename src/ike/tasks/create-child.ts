// CREATE_CHILD_SA requests (RFC 7296 §1.3). Rekeying and additional CHILD
// SAs are not negotiated yet; every request gets an answer all the same,
// N(NO_ADDITIONAL_SAS) (§1.3: "the responder ... MAY reject"), so the peer
// neither retransmits into the void nor declares us dead, and keeps its
// existing SAs until it decides otherwise.

import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { NotifyType } from '../../wire/iana/notify-types.js';
import { effect } from '../effects.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { encodeProtected } from '../protection.js';
import { notify, type TaskResult } from './task.js';

export function refuseCreateChild(sa: IkeSaData, messageId: number): TaskResult {
  const bytes = encodeProtected(
    { spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.CREATE_CHILD_SA, messageId, initiator: sa.initiator, response: true },
    [notify(NotifyType.NO_ADDITIONAL_SAS)],
    sa.skOut!,
  );
  return {
    effects: [
      { kind: 'send-response', exchange: 'CREATE_CHILD_SA', messageId, datagrams: [bytes] },
      effect.log(sa.id, 'info', `peer ${sa.remote.address} asked for CREATE_CHILD_SA; answered NO_ADDITIONAL_SAS (rekeying is not supported yet)`),
    ],
  };
}
