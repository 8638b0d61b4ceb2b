// Conversions between the codec's payload structures and the IKE core's
// own shapes (proposals with typed transforms, selectors with text
// addresses). Kept in one file so the rest of src/ike/ reads in protocol
// terms, not in octets.

import { keyLengthAttribute, transformKeyLength, type Proposal as WireProposal, type Transform as WireTransform } from '../wire/payloads/sa.js';
import { isAddressRange, type TrafficSelector as WireTs } from '../wire/payloads/traffic-selector.js';
import { TsType } from '../wire/iana/ts-types.js';
import type { TransformType } from '../wire/iana/transforms.js';
import type { TrafficSelector } from './child-params.js';
import { ipFromBytes, ipToBytes, parseIp } from './ip.js';
import { PROTOCOL_ID, type Proposal, type SaProtocol, type Transform } from './proposal.js';

const PROTOCOL_BY_ID: Record<number, SaProtocol> = { 1: 'ike', 2: 'ah', 3: 'esp' };

/** Wire proposals -> ours; proposals of unknown protocols are dropped. */
export function proposalsFromWire(list: readonly WireProposal[]): Proposal[] {
  const out: Proposal[] = [];
  for (const p of list) {
    const protocol = PROTOCOL_BY_ID[p.protocolId];
    if (!protocol) continue;
    out.push({
      number: p.number,
      protocol,
      spi: p.spi,
      transforms: p.transforms.map((t) => {
        const keyLength = transformKeyLength(t);
        const tr: Transform = { type: t.transformType as TransformType, id: t.transformId };
        if (keyLength !== undefined) tr.keyLength = keyLength;
        return tr;
      }),
    });
  }
  return out;
}

export function proposalToWire(p: Proposal, number = p.number, spi: Uint8Array = p.spi): WireProposal {
  return {
    number,
    protocolId: PROTOCOL_ID[p.protocol],
    spi,
    transforms: p.transforms.map(
      (t): WireTransform => ({
        transformType: t.type,
        transformId: t.id,
        attributes: t.keyLength !== undefined ? [keyLengthAttribute(t.keyLength)] : [],
      }),
    ),
  };
}

/** Configured proposals numbered 1..n for sending, all with the same SPI. */
export function proposalsToWire(list: readonly Proposal[], spi: Uint8Array): WireProposal[] {
  return list.map((p, i) => proposalToWire(p, i + 1, spi));
}

export function tsFromWire(list: readonly WireTs[]): TrafficSelector[] {
  const out: TrafficSelector[] = [];
  for (const s of list) {
    if (!isAddressRange(s)) continue; // other TS types are not ours to narrow
    out.push({
      protocol: s.ipProtocol,
      startPort: s.startPort,
      endPort: s.endPort,
      startAddress: ipFromBytes(s.startAddress),
      endAddress: ipFromBytes(s.endAddress),
    });
  }
  return out;
}

export function tsToWire(list: readonly TrafficSelector[]): WireTs[] {
  return list.map((ts) => ({
    tsType: parseIp(ts.startAddress).family === 4 ? TsType.TS_IPV4_ADDR_RANGE : TsType.TS_IPV6_ADDR_RANGE,
    ipProtocol: ts.protocol,
    startPort: ts.startPort,
    endPort: ts.endPort,
    startAddress: ipToBytes(ts.startAddress),
    endAddress: ipToBytes(ts.endAddress),
  }));
}

export function spiToBytes(spi: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(spi >>> 0);
  return b;
}

export function spiFromBytes(b: Uint8Array): number {
  if (b.length !== 4) return -1;
  return Buffer.from(b.buffer, b.byteOffset, 4).readUInt32BE(0);
}
