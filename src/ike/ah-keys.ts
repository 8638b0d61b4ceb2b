// Keys of an AH CHILD SA (RFC 7296 §2.17): AH has no encryption, so KEYMAT
// holds one integrity key per direction, initiator-to-responder first.

import { prfPlus } from '../crypto/prf.js';
import { lookupInteg, type PrfAlgorithm } from '../crypto/registry/index.js';
import { TransformType } from '../wire/iana/transforms.js';
import type { ChildKeys } from './child-params.js';
import { firstOf, type Proposal } from './proposal.js';

export interface AhKeyInput {
  prf: PrfAlgorithm;
  skD: Uint8Array;
  proposal: Proposal;
  weInitiated: boolean;
  nonceI: Uint8Array;
  nonceR: Uint8Array;
  sharedSecret?: Uint8Array;
}

export function ahChildKeys(input: AhKeyInput): { inbound: ChildKeys; outbound: ChildKeys } | string {
  const integ = firstOf(input.proposal, TransformType.INTEG);
  if (!integ) return 'AH proposal has no INTEG transform';
  const algorithm = lookupInteg(integ.id);
  if (!algorithm.ok) return algorithm.error.message;
  const { keySize, xfrm } = algorithm.value;
  const seed = Buffer.concat(input.sharedSecret ? [input.sharedSecret, input.nonceI, input.nonceR] : [input.nonceI, input.nonceR]);
  const keymat = prfPlus(input.prf, input.skD, seed, 2 * keySize);
  seed.fill(0);
  if (!keymat.ok) return keymat.error.message;
  const iToR: ChildKeys = { integrity: { xfrmName: xfrm.name, key: keymat.value.subarray(0, keySize), truncBits: xfrm.truncBits } };
  const rToI: ChildKeys = { integrity: { xfrmName: xfrm.name, key: keymat.value.subarray(keySize), truncBits: xfrm.truncBits } };
  return input.weInitiated ? { inbound: rToI, outbound: iToR } : { inbound: iToR, outbound: rToI };
}
