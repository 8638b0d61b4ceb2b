// SA proposals as the IKE core sees them (RFC 7296 §3.3): a protocol, an
// SPI, and for each transform type the acceptable transforms in order of
// preference. The same shape carries a configured proposal (`ike=`,
// `esp=`), an offered one (decoded from a peer's SA payload) and a
// selected one (exactly one transform per type).

import { TransformType, transformName } from '../wire/iana/transforms.js';

export type SaProtocol = 'ike' | 'esp' | 'ah';

/** RFC 7296 §3.3.1 Protocol ID. */
export const PROTOCOL_ID: Record<SaProtocol, number> = { ike: 1, ah: 2, esp: 3 };

export interface Transform {
  type: TransformType;
  id: number;
  /** Key Length attribute in bits (only for variable-length ciphers). */
  keyLength?: number;
}

export interface Proposal {
  /** Proposal Num as offered (1-based); configured proposals number themselves. */
  number: number;
  protocol: SaProtocol;
  /** SPI: 8 octets for IKE rekeys, 4 for ESP/AH, empty in IKE_SA_INIT. */
  spi: Uint8Array;
  transforms: Transform[];
}

/** A selected proposal has exactly one transform of each type it uses. */
export type SelectedProposal = Proposal;

export function transformsOf(p: Proposal, type: TransformType): Transform[] {
  return p.transforms.filter((t) => t.type === type);
}

export function firstOf(p: Proposal, type: TransformType): Transform | undefined {
  return p.transforms.find((t) => t.type === type);
}

export function sameTransform(a: Transform, b: Transform): boolean {
  return a.type === b.type && a.id === b.id && (a.keyLength ?? 0) === (b.keyLength ?? 0);
}

/** Combined-mode (AEAD) ciphers carry their own integrity (RFC 5282, RFC 7634). */
const AEAD_ENCR = new Set([14, 15, 16, 18, 19, 20, 25, 26, 27, 28]);
export function isAead(encrId: number): boolean {
  return AEAD_ENCR.has(encrId);
}

// Names in the order an admin reads a suite: cipher, integrity, PRF, group, ESN.
const DISPLAY_ORDER: TransformType[] = [
  TransformType.ENCR,
  TransformType.INTEG,
  TransformType.PRF,
  TransformType.KE,
  TransformType.ESN,
];

export function transformLabel(t: Transform): string {
  return transformName(t.type, t.id, t.keyLength);
}

/** "AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519"; INTEG NONE is left out. */
export function formatProposal(p: Proposal): string {
  const parts: string[] = [];
  for (const type of DISPLAY_ORDER) {
    for (const t of transformsOf(p, type)) {
      if (type === TransformType.INTEG && t.id === 0) continue;
      parts.push(transformLabel(t));
    }
  }
  return parts.join('/');
}

export function formatProposals(ps: readonly Proposal[]): string {
  return ps.length === 0 ? '(nothing)' : ps.map(formatProposal).join(', ');
}
