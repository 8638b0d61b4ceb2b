// Shared test helpers: proposals and conns written the way an admin thinks.
import type { IkeConn } from '../../src/ike/conn.js';
import { parseIdentity } from '../../src/ike/identity.js';
import type { Proposal, SaProtocol } from '../../src/ike/proposal.js';
import { ENCR, ESN, INTEG, KE, PRF, TransformType } from '../../src/wire/iana/transforms.js';

type T = { type: TransformType; id: number; keyLength?: number };
export const encr = (id: number, keyLength?: number): T =>
  keyLength === undefined ? { type: TransformType.ENCR, id } : { type: TransformType.ENCR, id, keyLength };
export const prf = (id: number): T => ({ type: TransformType.PRF, id });
export const integ = (id: number): T => ({ type: TransformType.INTEG, id });
export const ke = (id: number): T => ({ type: TransformType.KE, id });
export const esn = (id: number): T => ({ type: TransformType.ESN, id });

export function proposal(protocol: SaProtocol, transforms: T[], number = 1): Proposal {
  return { number, protocol, spi: new Uint8Array(protocol === 'ike' ? 0 : 4), transforms };
}

export const IKE_GCM_X25519 = proposal('ike', [encr(ENCR.AES_GCM_16, 256), prf(PRF.HMAC_SHA2_256), ke(KE.CURVE25519)]);
export const IKE_CBC_MODP2048 = proposal('ike', [
  encr(ENCR.AES_CBC, 128),
  integ(INTEG.HMAC_SHA2_256_128),
  prf(PRF.HMAC_SHA2_256),
  ke(KE.MODP_2048),
]);
export const IKE_LEGACY = proposal('ike', [encr(ENCR.AES_CBC, 128), integ(INTEG.HMAC_SHA1_96), prf(PRF.HMAC_SHA1), ke(KE.MODP_1024)]);
export const ESP_GCM = proposal('esp', [encr(ENCR.AES_GCM_16, 256), esn(ESN.NO_ESN)]);
export const ESP_CBC = proposal('esp', [encr(ENCR.AES_CBC, 128), integ(INTEG.HMAC_SHA2_256_128), esn(ESN.NO_ESN)]);

export function conn(overrides: Partial<IkeConn> & { name: string }): IkeConn {
  return {
    localAddress: '192.0.2.1',
    remoteAddress: '192.0.2.2',
    localId: parseIdentity('192.0.2.1'),
    remoteId: parseIdentity('192.0.2.2'),
    localAuth: 'psk',
    remoteAuth: 'psk',
    ikeProposals: [IKE_GCM_X25519],
    childProposals: [ESP_GCM],
    localTs: [],
    remoteTs: [],
    mode: 'tunnel',
    keyingTries: 3,
    auto: 'add',
    ...overrides,
  };
}
