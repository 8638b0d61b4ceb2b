// One-line, log-friendly summaries of messages with IANA names, e.g.
//   IKE_AUTH request #1 [ SK{ IDi N(INITIAL_CONTACT) AUTH CP(CFG_REQUEST) SA(1 ESP) TSi TSr } ]
// Never prints key material or payload data: only types and counts, so a
// summary is safe in any log.

import { cfgTypeName } from './iana/cp-types.js';
import { exchangeTypeName } from './iana/exchange-types.js';
import { notifyTypeName } from './iana/notify-types.js';
import { PayloadType, payloadTypeName } from './iana/payload-types.js';
import { protocolIdName } from './iana/protocol-ids.js';
import type { IkeMessage } from './message.js';
import { isPayload, type Payload } from './payload.js';

export function describePayload(p: Payload): string {
  if ('raw' in p) return `${payloadTypeName(p.type)}${p.critical ? '!' : ''}`;
  if (isPayload(p, PayloadType.N)) return `N(${notifyTypeName(p.notifyType)})`;
  if (isPayload(p, PayloadType.CP)) return `CP(${cfgTypeName(p.cfgType)})`;
  if (isPayload(p, PayloadType.D)) return `D(${protocolIdName(p.protocolId)}${p.spis.length ? ` x${p.spis.length}` : ''})`;
  if (isPayload(p, PayloadType.SA)) {
    const protocols = [...new Set(p.proposals.map((x) => protocolIdName(x.protocolId)))].join('/');
    return `SA(${p.proposals.length} ${protocols})`;
  }
  if (isPayload(p, PayloadType.SKF)) return `SKF(${p.fragmentNumber}/${p.totalFragments})`;
  return payloadTypeName(p.type);
}

export function describePayloads(payloads: readonly Payload[]): string {
  return payloads.map(describePayload).join(' ');
}

/**
 * `IKE_SA_INIT request #0 [ SA(1 IKE) KE NONCE N(NAT_DETECTION_SOURCE_IP) ]`;
 * pass the decrypted inner chain to show it inside SK{...}.
 */
export function describeMessage(msg: IkeMessage, inner?: readonly Payload[]): string {
  const h = msg.header;
  const dir = h.flags.response ? 'response' : 'request';
  const outer = msg.payloads.map((p) =>
    inner !== undefined && (p.type === PayloadType.SK || p.type === PayloadType.SKF) && !('raw' in p)
      ? `${describePayload(p)}{ ${describePayloads(inner)} }`
      : describePayload(p),
  );
  return `${exchangeTypeName(h.exchangeType)} ${dir} #${h.messageId} [ ${outer.join(' ')} ]`;
}
