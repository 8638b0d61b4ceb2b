// From the agreed IKE proposal and the IKE_SA_INIT values to SK_* keys and
// the two SK ciphers (ours to seal, the peer's to open), via src/crypto.

import { deriveIkeSaKeys, deriveRekeyedIkeSaKeys } from '../crypto/ike-sa-keys.js';
import type { PrfAlgorithm } from '../crypto/registry/index.js';
import { lookupPrf, resolveCipherSuite } from '../crypto/registry/index.js';
import { SkCipher } from '../crypto/sk/sk-cipher.js';
import { TransformType } from '../wire/iana/transforms.js';
import type { IkeSaData } from './ike-sa-data.js';
import { firstOf, type Proposal } from './proposal.js';

/**
 * Derive and install the SA's keys; returns an error text on failure.
 * `rekeyOf` is the IKE SA being rekeyed (§2.18: SKEYSEED from its SK_d).
 */
export function keyIkeSa(sa: IkeSaData, proposal: Proposal, sharedSecret: Uint8Array, rekeyOf?: { prf: PrfAlgorithm; skD: Uint8Array }): string | undefined {
  const encr = firstOf(proposal, TransformType.ENCR);
  const prfT = firstOf(proposal, TransformType.PRF);
  if (!encr || !prfT) return 'agreed IKE proposal lacks ENCR or PRF';
  const integ = firstOf(proposal, TransformType.INTEG);
  const suite = resolveCipherSuite(encr.keyLength === undefined ? { id: encr.id } : { id: encr.id, keyLength: encr.keyLength }, integ?.id);
  if (!suite.ok) return suite.error.message;
  const prf = lookupPrf(prfT.id);
  if (!prf.ok) return prf.error.message;
  const input = { prf: prf.value, suite: suite.value, nonceI: sa.nonceI!, nonceR: sa.nonceR!, spiI: sa.spiI, spiR: sa.spiR, sharedSecret };
  const keys = rekeyOf ? deriveRekeyedIkeSaKeys({ ...input, oldPrf: rekeyOf.prf, oldSkD: rekeyOf.skD }) : deriveIkeSaKeys(input);
  if (!keys.ok) return keys.error.message;
  const k = keys.value;
  const iToR = SkCipher.create(suite.value, { encryptionKey: k.skEi, integrityKey: k.skAi });
  const rToI = SkCipher.create(suite.value, { encryptionKey: k.skEr, integrityKey: k.skAr });
  if (!iToR.ok) return iToR.error.message;
  if (!rToI.ok) return rToI.error.message;
  sa.prf = prf.value;
  sa.keys = k;
  sa.skOut = sa.initiator ? iToR.value : rToI.value;
  sa.skIn = sa.initiator ? rToI.value : iToR.value;
  return undefined;
}
