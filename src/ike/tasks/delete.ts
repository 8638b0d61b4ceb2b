// Deleting SAs with INFORMATIONAL exchanges (RFC 7296 §1.4.1, §3.11).
// Deleting the IKE SA takes its CHILD SAs with it; a CHILD SA is deleted
// by the SPI its peer receives on, and the answer names ours.

import { ExchangeType } from '../../wire/iana/exchange-types.js';
import { PayloadType } from '../../wire/iana/payload-types.js';
import { ProtocolId } from '../../wire/iana/protocol-ids.js';
import type { DeletePayload } from '../../wire/payloads/delete.js';
import { filterPayloads, type Payload } from '../../wire/payload.js';
import type { ChildSa } from '../child-sa.js';
import { effect, type Effect } from '../effects.js';
import type { IkeSaData } from '../ike-sa-data.js';
import { protectedRequest, protectedResponse } from '../protection.js';
import { outboundHandover } from '../rekey/outbound-handover.js';
import { spiFromBytes, spiToBytes } from '../wire-adapt.js';
import type { TaskResult } from './task.js';

function deleteIkePayload(): DeletePayload {
  return { type: PayloadType.D, critical: false, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] };
}

function deleteChildPayload(children: readonly ChildSa[]): DeletePayload {
  return {
    type: PayloadType.D,
    critical: false,
    protocolId: children[0]?.params.protocol === 'ah' ? ProtocolId.AH : ProtocolId.ESP,
    spiSize: 4,
    spis: children.map((c) => spiToBytes(c.params.spiIn)),
  };
}

export function response(sa: IkeSaData, messageId: number, inner: Payload[]): Buffer {
  return protectedResponse(sa, ExchangeType.INFORMATIONAL, messageId, inner);
}

/**
 * Kernel removal of `going`, in order; a CHILD SA's policies stay while
 * another installed CHILD SA of the same reqid (its rekeyed successor)
 * still needs them.
 */
export function removeChildren(sa: IkeSaData, going: readonly ChildSa[]): Effect[] {
  const remaining = new Set(sa.children.filter((c) => c.state.is('INSTALLED', 'DELETING')));
  const handover = outboundHandover(sa.children, going);
  return [...handover, ...going.map((c) => {
    remaining.delete(c);
    const keepPolicies = [...remaining].some((o) => o.params.reqid === c.params.reqid);
    return keepPolicies ? { kind: 'delete-child' as const, child: c.params, keepPolicies } : { kind: 'delete-child' as const, child: c.params };
  })];
}

/**
 * Tells the engine which conns lose their CHILD SAs for good: children with
 * no installed sibling of the same reqid left (a rekeyed pair's old half is
 * replaced, not closed). Nothing when none are closed.
 */
export function closingEffects(sa: IkeSaData, going: readonly ChildSa[], cause: 'dead-peer' | 'peer-deleted'): Effect[] {
  const staying = sa.children.filter((c) => c.state.is('INSTALLED', 'DELETING') && !going.includes(c));
  // A CHILD SA we are deleting ourselves is not closed by the peer.
  const closed = going.filter((c) => c.state.is('INSTALLED') && !staying.some((o) => o.params.reqid === c.params.reqid));
  const conns = [...new Set(closed.map((c) => c.params.connName))];
  return conns.length > 0 ? [effect.emit({ type: 'children-closing', ikeSaId: sa.id, cause, conns })] : [];
}

/** Remove every installed CHILD SA of this IKE SA from the kernel. */
export function dropChildren(sa: IkeSaData): Effect[] {
  return removeChildren(sa, sa.children.filter((c) => c.state.is('INSTALLED', 'DELETING')));
}

/** Our request to delete the IKE SA; children go from the kernel right away. */
export function buildDeleteIke(sa: IkeSaData): TaskResult {
  const send = protectedRequest(sa, ExchangeType.INFORMATIONAL, [deleteIkePayload()]);
  sa.state.to('DELETING');
  return { effects: [...dropChildren(sa), send] };
}

/** Our request to delete one CHILD SA; the kernel state goes when the peer answers. */
export function buildDeleteChild(sa: IkeSaData, child: ChildSa): TaskResult {
  const send = protectedRequest(sa, ExchangeType.INFORMATIONAL, [deleteChildPayload([child])]);
  if (child.state.can('DELETING')) child.state.to('DELETING');
  return { effects: [send] };
}

/** The peer's Delete payloads: what to remove and what to answer. */
export function answerDeletes(sa: IkeSaData, messageId: number, payloads: readonly Payload[]): TaskResult | undefined {
  const deletes = filterPayloads(payloads, PayloadType.D);
  if (deletes.length === 0) return undefined;
  if (deletes.some((d) => d.protocolId === ProtocolId.IKE)) {
    return {
      effects: [
        ...closingEffects(sa, sa.children, 'peer-deleted'),
        ...dropChildren(sa),
        { kind: 'send-response', exchange: 'INFORMATIONAL', messageId, datagrams: [response(sa, messageId, [])] },
        effect.log(sa.id, 'info', `peer ${sa.remote.address} deleted IKE SA '${sa.conn?.name ?? '?'}'`),
      ],
      closed: 'deleted by peer',
    };
  }
  const gone: ChildSa[] = [];
  for (const d of deletes) {
    for (const spiBytes of d.spis) {
      const spi = spiFromBytes(spiBytes);
      const child = sa.children.find((c) => c.params.spiOut === spi && !c.state.is('DELETED', 'FAILED'));
      if (child && !gone.includes(child)) gone.push(child);
    }
  }
  const inner: Payload[] = gone.length > 0 ? [deleteChildPayload(gone)] : [];
  return {
    effects: [
      ...closingEffects(sa, gone, 'peer-deleted'),
      ...removeChildren(sa, gone),
      { kind: 'send-response', exchange: 'INFORMATIONAL', messageId, datagrams: [response(sa, messageId, inner)] },
    ],
  };
}
