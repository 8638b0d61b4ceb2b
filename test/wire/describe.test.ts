import { describe, expect, it } from 'vitest';
import { decodeMessage, describeMessage } from '../../src/wire/index.js';
import * as m from '../vectors/wire/messages.js';
import { ikeAuthInner, ikeSaInitRequest } from '../vectors/wire/samples.js';
import { ok } from './helpers.js';

describe('log summaries', () => {
  it('names payloads and notifies in RFC spelling, without data', () => {
    expect(describeMessage(ikeSaInitRequest())).toBe(
      'IKE_SA_INIT request #0 [ SA(1 IKE) KE NONCE N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP) N(IKEV2_FRAGMENTATION_SUPPORTED) N(SIGNATURE_HASH_ALGORITHMS) ]',
    );
  });
  it('shows the decrypted chain inside SK', () => {
    const msg = ok(decodeMessage(m.ikeAuthRequestSk()));
    expect(describeMessage(msg, ikeAuthInner())).toBe(
      'IKE_AUTH request #1 [ SK{ IDi AUTH N(INITIAL_CONTACT) CP(CFG_REQUEST) SA(2 ESP) TSi TSr N(ESP_TFC_PADDING_NOT_SUPPORTED) N(NON_FIRST_FRAGMENTS_ALSO) } ]',
    );
    expect(describeMessage(ok(decodeMessage(m.ikeAuthResponseSkf())))).toBe('IKE_AUTH response #1 [ SKF(1/2) ]');
  });
});
