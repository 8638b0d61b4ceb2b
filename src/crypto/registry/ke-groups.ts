// Key exchange methods (RFC 7296 §3.3.2 "D-H", renamed by RFC 9370), with
// the size of the KE payload data and of the shared secret as they appear on
// the wire:
//   MODP (RFC 2409 §6, RFC 3526): big-endian, zero-padded to the prime size.
//   ECP (RFC 5903 §7, §9): x || y, each padded to the field size, no 0x04;
//     the shared secret is the x coordinate only.
//   Curve25519 / Curve448 (RFC 8031 §2): the raw 32 / 56 octet u-coordinate.
// The prime itself comes from node:crypto's built-in RFC 2409/3526 tables;
// the test suite compares them with the published hex.

import { KE } from '../../wire/iana/transforms.js';

interface KeGroupCommon {
  readonly id: number;
  /** IANA name in RFC spelling (`MODP_2048`, `ECP_256`, `CURVE25519`). */
  readonly name: string;
  /** KE payload data length in octets. */
  readonly publicValueSize: number;
  readonly sharedSecretSize: number;
  /** Too small for today's use; refused unless the caller explicitly allows weak groups. */
  readonly weak: boolean;
}

export interface ModpGroup extends KeGroupCommon {
  readonly kind: 'modp';
  /** Name accepted by `crypto.createDiffieHellmanGroup`. */
  readonly nodeGroup: string;
}

export interface EcpGroup extends KeGroupCommon {
  readonly kind: 'ecp';
  /** Name accepted by `crypto.createECDH`. */
  readonly nodeCurve: 'prime256v1' | 'secp384r1' | 'secp521r1';
  /** Octets of one coordinate. */
  readonly coordinateSize: number;
}

export interface MontgomeryGroup extends KeGroupCommon {
  readonly kind: 'montgomery';
  /** Key type for `crypto.generateKeyPairSync` and the JWK `crv` (X25519 / X448). */
  readonly nodeType: 'x25519' | 'x448';
  readonly jwkCurve: 'X25519' | 'X448';
}

export type KeGroup = ModpGroup | EcpGroup | MontgomeryGroup;

const modp = (id: number, bits: number, weak = false): ModpGroup => ({
  kind: 'modp',
  id,
  name: `MODP_${bits}`,
  publicValueSize: bits / 8,
  sharedSecretSize: bits / 8,
  weak,
  nodeGroup: `modp${id}`,
});

const ecp = (id: number, bits: number, nodeCurve: EcpGroup['nodeCurve']): EcpGroup => {
  const coordinateSize = Math.ceil(bits / 8);
  return {
    kind: 'ecp',
    id,
    name: `ECP_${bits}`,
    publicValueSize: 2 * coordinateSize,
    sharedSecretSize: coordinateSize,
    weak: false,
    nodeCurve,
    coordinateSize,
  };
};

export const keGroups: readonly KeGroup[] = [
  modp(KE.MODP_768, 768, true),
  modp(KE.MODP_1024, 1024, true),
  modp(KE.MODP_1536, 1536, true),
  modp(KE.MODP_2048, 2048),
  modp(KE.MODP_3072, 3072),
  modp(KE.MODP_4096, 4096),
  modp(KE.MODP_6144, 6144),
  modp(KE.MODP_8192, 8192),
  ecp(KE.ECP_256, 256, 'prime256v1'),
  ecp(KE.ECP_384, 384, 'secp384r1'),
  ecp(KE.ECP_521, 521, 'secp521r1'),
  {
    kind: 'montgomery',
    id: KE.CURVE25519,
    name: 'CURVE25519',
    publicValueSize: 32,
    sharedSecretSize: 32,
    weak: false,
    nodeType: 'x25519',
    jwkCurve: 'X25519',
  },
  {
    kind: 'montgomery',
    id: KE.CURVE448,
    name: 'CURVE448',
    publicValueSize: 56,
    sharedSecretSize: 56,
    weak: false,
    nodeType: 'x448',
    jwkCurve: 'X448',
  },
];
