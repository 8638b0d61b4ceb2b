// The barrel exports what the IKE layer calls; a full responder+initiator
// handshake through it, in memory, proves the pieces fit together.
import { describe, expect, it } from 'vitest';
import * as crypto from '../../src/crypto/index.js';
import { AuthMethod, ExchangeType, IdType, PayloadType, encodeIdBody, findPayload, type IkeHeader, type Payload } from '../../src/wire/index.js';
import { ENCR, KE, PRF } from '../../src/wire/iana/transforms.js';

const must = <T>(r: { ok: true; value: T } | { ok: false; error: Error }): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

describe.each([
  ['CURVE25519 / AES_GCM_16_256', KE.CURVE25519, { id: ENCR.AES_GCM_16, keyLength: 256 }, undefined],
  ['MODP_2048 / AES_CBC_128 + SHA2_256_128', KE.MODP_2048, { id: ENCR.AES_CBC, keyLength: 128 }, 12],
  ['ECP_384 / CHACHA20_POLY1305', KE.ECP_384, { id: ENCR.CHACHA20_POLY1305 }, undefined],
] as const)('both ends of IKE_SA_INIT + IKE_AUTH agree: %s', (_name, group, encr, integ) => {
  it('derive the same keys, exchange a protected IKE_AUTH and verify each other', () => {
    const prf = must(crypto.lookupPrf(PRF.HMAC_SHA2_256));
    const suite = must(crypto.resolveCipherSuite(encr, integ));
    const initiatorKe = must(crypto.createKeyExchange(group));
    const responderKe = must(crypto.createKeyExchange(group));
    const nonceI = Buffer.alloc(32, 1);
    const nonceR = Buffer.alloc(32, 2);
    const spiI = Buffer.from('0011223344556677', 'hex');
    const spiR = Buffer.from('8899aabbccddeeff', 'hex');
    const giI = must(initiatorKe.computeSharedSecret(responderKe.publicValue));
    const giR = must(responderKe.computeSharedSecret(initiatorKe.publicValue));
    const base = { prf, suite, nonceI, nonceR, spiI, spiR };
    const keysI = must(crypto.deriveIkeSaKeys({ ...base, sharedSecret: giI }));
    const keysR = must(crypto.deriveIkeSaKeys({ ...base, sharedSecret: giR }));
    expect(keysI.skD).toEqual(keysR.skD);

    const psk = Buffer.from('shared');
    const realMessage1 = Buffer.alloc(300, 9);
    const idi: Payload = { type: PayloadType.IDi, critical: false, idType: IdType.ID_FQDN, data: Buffer.from('left.example.org') };
    const octets = crypto.signedOctets({ prf, realMessage: realMessage1, peerNonce: nonceR, skP: keysI.skPi, idPayloadBody: encodeIdBody(idi as never) });
    const auth: Payload = { type: PayloadType.AUTH, critical: false, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: crypto.pskAuth(prf, psk, octets) };
    const header: IkeHeader = { spiI, spiR, nextPayload: 0, majorVersion: 2, minorVersion: 0, exchangeType: ExchangeType.IKE_AUTH, flags: { initiator: true, response: false, version: false }, messageId: 1, length: 0 };
    const out = must(crypto.SkCipher.create(suite, { encryptionKey: keysI.skEi, integrityKey: keysI.skAi }));
    const wire = crypto.sealMessage(header, [idi, auth], out);

    const inbound = must(crypto.SkCipher.create(suite, { encryptionKey: keysR.skEi, integrityKey: keysR.skAi }));
    const opened = must(crypto.openMessage(wire, inbound));
    const receivedId = findPayload(opened.payloads, PayloadType.IDi)!;
    const receivedAuth = findPayload(opened.payloads, PayloadType.AUTH)!;
    const expectedOctets = crypto.signedOctets({ prf, realMessage: realMessage1, peerNonce: nonceR, skP: keysR.skPi, idPayloadBody: encodeIdBody(receivedId) });
    must(crypto.verifyPskAuth(prf, psk, expectedOctets, receivedAuth.data));

    const childI = must(crypto.deriveChildSaKeys({ prf, skD: keysI.skD, suite, nonceI, nonceR }));
    const childR = must(crypto.deriveChildSaKeys({ prf, skD: keysR.skD, suite, nonceI, nonceR }));
    expect(childI.initiatorToResponder.encryptionKey).toEqual(childR.initiatorToResponder.encryptionKey);
    for (const x of [keysI, keysR, childI, childR, initiatorKe, responderKe]) x.dispose();
    expect(keysI.skEi.every((b) => b === 0)).toBe(true);
  });
});
