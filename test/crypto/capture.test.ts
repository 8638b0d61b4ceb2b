// Interop with a real peer: strongSwan's own IKE_SA_INIT + IKE_AUTH messages
// and the keys it logged (test/vectors/capture/README.md). We re-derive its
// keys from the nonces/SPIs on the wire and its logged g^ir, decrypt its
// IKE_AUTH messages, check its PSK AUTH payloads and NAT-D hashes, and
// re-encrypt the decrypted payloads into a message it would accept.

import { createDecipheriv, createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signedOctets } from '../../src/crypto/auth/signed-octets.js';
import { pskAuth, verifyPskAuth } from '../../src/crypto/auth/psk.js';
import { signAuth, verifyAuth } from '../../src/crypto/auth/signature-auth.js';
import { deriveChildSaKeys } from '../../src/crypto/child-sa-keys.js';
import { aeadKey, aeadOpen } from '../../src/crypto/sk/aead.js';
import { deriveIkeSaKeys, deriveRekeyedIkeSaKeys, initialSkeyseed, rekeySkeyseed } from '../../src/crypto/ike-sa-keys.js';
import { natDetectionHash, natDetectionMatches } from '../../src/crypto/nat-detection.js';
import { lookupPrf, resolveCipherSuite, type CipherSuite } from '../../src/crypto/registry/index.js';
import { openMessage, sealMessage } from '../../src/crypto/sk-message.js';
import { SkCipher } from '../../src/crypto/sk/sk-cipher.js';
import {
  AuthMethod,
  decodeMessage,
  encodeIdBody,
  ExchangeType,
  filterPayloads,
  findNotify,
  findPayload,
  NotifyType,
  PayloadType,
  transformKeyLength,
  TransformType,
  type IkeMessage,
  type Payload,
} from '../../src/wire/index.js';

interface Capture {
  name: string;
  auth: 'psk' | 'ecdsa' | 'rsa-pss' | 'ed25519';
  psk?: string;
  publicKeys?: { initiator: string; responder: string };
  initiator: { address: string };
  responder: { address: string };
  datagrams: Array<{ hex: string; fromPort: number; toPort: number }>;
  initiatorLog: Record<string, string> & { authOctets: string[] };
  responderLog: Record<string, string> & { authOctets: string[] };
  esp?: Array<{ from: string; to: string; hex: string }>;
  childKeys?: Array<Record<string, string>>;
  rekeyedInitiatorLog?: Record<string, string>;
  rekeyedResponderLog?: Record<string, string>;
}

const folder = join(dirname(fileURLToPath(import.meta.url)), '../vectors/capture');
const captures: Capture[] = readdirSync(folder)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as Capture);

const hex = (s: string) => Buffer.from(s, 'hex');
const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw r.error instanceof Error ? r.error : new Error(JSON.stringify(r.error));
  return r.value;
};

type OpenedPayloads = { payloads: Payload[] };

/**
 * RFC 4303 ESP (no ESN): SPI | Seq | IV | ciphertext | ICV. AEAD: associated
 * data SPI | Seq, nonce salt | IV (RFC 4106 §5). CBC: ICV = truncated HMAC
 * over SPI .. ciphertext, checked before decrypting. Returns the plaintext
 * (payload | padding | Pad Length | Next Header) or undefined.
 */
function openEsp(suite: CipherSuite, keys: { encryptionKey: Buffer; integrityKey: Buffer }, esp: Buffer): Buffer | undefined {
  const algorithm = suite.encr.algorithm;
  const body = esp.subarray(8 + algorithm.ivSize);
  const iv = esp.subarray(8, 8 + algorithm.ivSize);
  if (algorithm.kind === 'aead') {
    const r = aeadOpen(aeadKey(suite.encr, keys.encryptionKey)!, iv, esp.subarray(0, 8), body);
    return r.ok ? r.value : undefined;
  }
  const integ = suite.integ!;
  const icv = esp.subarray(esp.length - integ.icvSize);
  const expected = createHmac(integ.hash, keys.integrityKey).update(esp.subarray(0, esp.length - integ.icvSize)).digest().subarray(0, integ.icvSize);
  if (!expected.equals(icv)) return undefined;
  const decipher = createDecipheriv(algorithm.nodeCipher(suite.encr.keyBits), keys.encryptionKey, iv).setAutoPadding(false);
  return Buffer.concat([decipher.update(body.subarray(0, body.length - integ.icvSize)), decipher.final()]);
}

function decode(bytes: Buffer): IkeMessage {
  return must(decodeMessage(bytes));
}

/** Negotiated algorithms from the responder's SA payload. */
function negotiated(response: IkeMessage) {
  const sa = findPayload(response.payloads, PayloadType.SA)!;
  const transforms = sa.proposals[0]!.transforms;
  const pick = (type: number) => transforms.find((t) => t.transformType === type);
  const encr = pick(TransformType.ENCR)!;
  const prf = must(lookupPrf(pick(TransformType.PRF)!.transformId));
  const suite = must(resolveCipherSuite({ id: encr.transformId, keyLength: transformKeyLength(encr) }, pick(TransformType.INTEG)?.transformId));
  return { prf, suite };
}

it('has the nine captures the README lists', () => {
  expect(captures.map((c) => c.name).sort()).toEqual([
    'esp-aes128gcm16-prfsha256-curve25519',
    'esp-cbc-aes256-sha256-modp2048',
    'psk-aes128-sha256-modp2048',
    'psk-aes256gcm16-prfsha384-ecp384',
    'psk-chacha20poly1305-prfsha256-curve25519',
    'rekey-aes128gcm16-prfsha256-curve25519',
    'sig-ecdsa-p256',
    'sig-ed25519',
    'sig-rsa-pss',
  ]);
});

describe.each(captures.map((c) => [c.name, c] as const))('strongSwan capture %s', (_name, capture) => {
  const [initRequest, initResponse, authRequest, authResponse] = capture.datagrams.map((d) => hex(d.hex)) as [Buffer, Buffer, Buffer, Buffer];
  const request = decode(initRequest);
  const response = decode(initResponse);
  const { prf, suite } = negotiated(response);
  const nonceI = Buffer.from(findPayload(request.payloads, PayloadType.NONCE)!.data);
  const nonceR = Buffer.from(findPayload(response.payloads, PayloadType.NONCE)!.data);
  const spiI = response.header.spiI;
  const spiR = response.header.spiR;
  const log = capture.initiatorLog;
  const keys = must(deriveIkeSaKeys({ prf, suite, nonceI, nonceR, spiI, spiR, sharedSecret: hex(log.sharedSecret!) }));

  it('both charons logged the same keys', () => {
    for (const key of ['sharedSecret', 'skeyseed', 'skD', 'skEi', 'skEr', 'skPi', 'skPr']) expect(capture.responderLog[key]).toBe(log[key]);
  });

  it('SKEYSEED and all SK_* keys re-derive from the wire nonces/SPIs and the logged g^ir', () => {
    expect(initialSkeyseed(prf, nonceI, nonceR, hex(log.sharedSecret!)).toString('hex')).toBe(log.skeyseed);
    expect(keys.skD.toString('hex')).toBe(log.skD);
    expect(keys.skEi.toString('hex')).toBe(log.skEi);
    expect(keys.skEr.toString('hex')).toBe(log.skEr);
    expect(keys.skPi.toString('hex')).toBe(log.skPi);
    expect(keys.skPr.toString('hex')).toBe(log.skPr);
    expect(keys.skAi.toString('hex')).toBe(log.skAi ?? '');
    expect(keys.skAr.toString('hex')).toBe(log.skAr ?? '');
  });

  it('NAT detection hashes in IKE_SA_INIT match ours (§2.23)', () => {
    const zeroSpi = Buffer.alloc(8);
    const hash = (spiRValue: Buffer, address: string) => must(natDetectionHash(spiI, spiRValue, { address, port: 500 }));
    const data = (m: IkeMessage, type: number) => Buffer.from(findNotify(m.payloads, type)!.data);
    // Destination hashes are always real: each side hashes the peer as it addressed it.
    expect(data(request, NotifyType.NAT_DETECTION_DESTINATION_IP)).toEqual(hash(zeroSpi, capture.responder.address));
    expect(data(response, NotifyType.NAT_DETECTION_DESTINATION_IP)).toEqual(hash(spiR, capture.initiator.address));
    const sources = [
      [data(request, NotifyType.NAT_DETECTION_SOURCE_IP), hash(zeroSpi, capture.initiator.address)],
      [data(response, NotifyType.NAT_DETECTION_SOURCE_IP), hash(spiR, capture.responder.address)],
    ] as const;
    for (const [received, ours] of sources) {
      // With `encap = yes` (esp capture) strongSwan sends made-up source hashes
      // so that both sides see a NAT and use UDP encapsulation.
      expect(natDetectionMatches([received], ours)).toBe(!capture.esp);
    }
  });


  const openWith = (bytes: Buffer, encryptionKey: Buffer, integrityKey: Buffer) =>
    must(openMessage(bytes, must(SkCipher.create(suite, { encryptionKey, integrityKey }))));

  it('decrypts the IKE_AUTH request and response', () => {
    const req = openWith(authRequest, keys.skEi, keys.skAi);
    expect(req.payloads.map((p) => p.type)).toEqual(expect.arrayContaining([PayloadType.IDi, PayloadType.AUTH, PayloadType.SA, PayloadType.TSi, PayloadType.TSr]));
    expect(Buffer.from(findPayload(req.payloads, PayloadType.IDi)!.data).toString()).toBe('left.example.org');
    const res = openWith(authResponse, keys.skEr, keys.skAr);
    expect(Buffer.from(findPayload(res.payloads, PayloadType.IDr)!.data).toString()).toBe('right.example.org');
    if (capture.esp) {
      // Userspace IPsec: the CHILD SA was accepted.
      expect(findPayload(res.payloads, PayloadType.SA)).toBeDefined();
    } else {
      // The CHILD SA failed on this kernel (no ESP): the responder says so.
      expect(findNotify(res.payloads, NotifyType.NO_PROPOSAL_CHOSEN)).toBeDefined();
    }
  });

  it('refuses the IKE_AUTH request under the wrong direction key and when one bit flips', () => {
    const wrongKey = openMessage(authRequest, must(SkCipher.create(suite, { encryptionKey: keys.skEr, integrityKey: keys.skAr })));
    expect(!wrongKey.ok && wrongKey.error.code).toBe('CRYPTO_INTEGRITY_FAILED');
    const flipped = Buffer.from(authRequest);
    flipped[flipped.length - 1]! ^= 1;
    const bad = openMessage(flipped, must(SkCipher.create(suite, { encryptionKey: keys.skEi, integrityKey: keys.skAi })));
    expect(!bad.ok && bad.error.code).toBe('CRYPTO_INTEGRITY_FAILED');
  });

  it('signed octets of both sides match what strongSwan signed (§2.15)', () => {
    const req = openWith(authRequest, keys.skEi, keys.skAi);
    const res = openWith(authResponse, keys.skEr, keys.skAr);
    const octetsI = signedOctets({ prf, realMessage: initRequest, peerNonce: nonceR, skP: keys.skPi, idPayloadBody: encodeIdBody(findPayload(req.payloads, PayloadType.IDi)!) });
    const octetsR = signedOctets({ prf, realMessage: initResponse, peerNonce: nonceI, skP: keys.skPr, idPayloadBody: encodeIdBody(findPayload(res.payloads, PayloadType.IDr)!) });
    expect(octetsI.toString('hex')).toBe(log.authOctets[0]);
    expect(octetsR.toString('hex')).toBe(log.authOctets[1]);
  });

  if (capture.auth !== 'psk') it(`${capture.auth} RFC 7427 signatures of both sides verify with their public keys`, () => {
    const req = openWith(authRequest, keys.skEi, keys.skAi);
    const res = openWith(authResponse, keys.skEr, keys.skAr);
    const authI = findPayload(req.payloads, PayloadType.AUTH)!;
    const authR = findPayload(res.payloads, PayloadType.AUTH)!;
    expect(authI.method).toBe(AuthMethod.DIGITAL_SIGNATURE);
    const octetsI = hex(log.authOctets[0]!);
    const octetsR = hex(log.authOctets[1]!);
    const initiatorKey = createPublicKey(capture.publicKeys!.initiator);
    const responderKey = createPublicKey(capture.publicKeys!.responder);
    const expectedScheme = { ecdsa: 'ecdsa-sha256', 'rsa-pss': 'rsa-pss-sha256', ed25519: 'ed25519' }[capture.auth as 'ecdsa'];
    expect(must(verifyAuth({ method: authI.method, publicKey: initiatorKey, signedOctets: octetsI, authData: authI.data })).scheme).toBe(expectedScheme);
    expect(must(verifyAuth({ method: authR.method, publicKey: responderKey, signedOctets: octetsR, authData: authR.data })).scheme).toBe(expectedScheme);
    // Swapped keys or octets must fail.
    expect(verifyAuth({ method: authI.method, publicKey: responderKey, signedOctets: octetsI, authData: authI.data }).ok).toBe(false);
    expect(verifyAuth({ method: authI.method, publicKey: initiatorKey, signedOctets: octetsR, authData: authI.data }).ok).toBe(false);
    // And our own signature with a fresh key of the same type is verified by the same code path.
    const ours = generateKeyPairSync(initiatorKey.asymmetricKeyType as 'ed25519', initiatorKey.asymmetricKeyType === 'ec' ? ({ namedCurve: 'prime256v1' } as never) : initiatorKey.asymmetricKeyType === 'rsa' ? ({ modulusLength: 2048 } as never) : undefined);
    const signed = must(signAuth({ method: AuthMethod.DIGITAL_SIGNATURE, privateKey: ours.privateKey, signedOctets: octetsI, scheme: expectedScheme }));
    expect(signed.subarray(0, 1 + signed[0]!)).toEqual(Buffer.from(authI.data).subarray(0, 1 + authI.data[0]!));
  });

  if (capture.auth === 'psk') it('PSK AUTH of both sides verifies (§2.15)', () => {
    const psk = Buffer.from(capture.psk!, 'utf8');
    const req = openWith(authRequest, keys.skEi, keys.skAi);
    const res = openWith(authResponse, keys.skEr, keys.skAr);
    const idi = findPayload(req.payloads, PayloadType.IDi)!;
    const idr = findPayload(res.payloads, PayloadType.IDr)!;
    const octetsI = signedOctets({ prf, realMessage: initRequest, peerNonce: nonceR, skP: keys.skPi, idPayloadBody: encodeIdBody(idi) });
    const octetsR = signedOctets({ prf, realMessage: initResponse, peerNonce: nonceI, skP: keys.skPr, idPayloadBody: encodeIdBody(idr) });
    expect(octetsI.toString('hex')).toBe(log.authOctets[0]);
    expect(octetsR.toString('hex')).toBe(log.authOctets[1]);
    const authI = findPayload(req.payloads, PayloadType.AUTH)!;
    const authR = findPayload(res.payloads, PayloadType.AUTH)!;
    expect(authI.method).toBe(AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE);
    expect(pskAuth(prf, psk, octetsI)).toEqual(Buffer.from(authI.data));
    must(verifyPskAuth(prf, psk, octetsR, authR.data));
    const wrong = verifyPskAuth(prf, Buffer.from('not the secret'), octetsI, authI.data);
    expect(!wrong.ok && wrong.error.code).toBe('CRYPTO_AUTH_FAILED');
  });

  const espPackets = capture.esp;
  if (espPackets)
    it('CHILD SA KEYMAT (§2.17) with and without PFS matches strongSwan and decrypts its ESP both ways', () => {
      const logged = capture.childKeys!;
      const req = openWith(authRequest, keys.skEi, keys.skAi);
      const res = openWith(authResponse, keys.skEr, keys.skAr);
      const chosen = findPayload(res.payloads, PayloadType.SA)!.proposals[0]!;
      const encr = chosen.transforms.find((t) => t.transformType === TransformType.ENCR)!;
      const integ = chosen.transforms.find((t) => t.transformType === TransformType.INTEG);
      const espSuite = must(resolveCipherSuite({ id: encr.transformId, keyLength: transformKeyLength(encr) }, integ?.transformId));
      const spisOf = (request: OpenedPayloads, response: OpenedPayloads) => ({
        // ESP SPIs are chosen by the receiver: i->r packets carry the responder's SPI.
        towardsResponder: Buffer.from(findPayload(response.payloads, PayloadType.SA)!.proposals[0]!.spi).toString('hex'),
        towardsInitiator: Buffer.from(findPayload(request.payloads, PayloadType.SA)!.proposals[0]!.spi).toString('hex'),
      });

      // First CHILD SA (IKE_AUTH): KEYMAT = prf+(SK_d, Ni | Nr) with the IKE_SA_INIT nonces.
      const first = must(deriveChildSaKeys({ prf, skD: keys.skD, suite: espSuite, nonceI, nonceR }));
      expect(first.initiatorToResponder.encryptionKey.toString('hex')).toBe(logged[0]!.encryptionInitiatorKey);
      expect(first.responderToInitiator.encryptionKey.toString('hex')).toBe(logged[0]!.encryptionResponderKey);
      expect(first.initiatorToResponder.integrityKey.toString('hex')).toBe(logged[0]!.integrityInitiatorKey ?? '');
      expect(first.responderToInitiator.integrityKey.toString('hex')).toBe(logged[0]!.integrityResponderKey ?? '');
      const sas = [{ keys: first, spis: spisOf(req, res) }];

      // Rekeyed CHILD SA (CREATE_CHILD_SA with KE): KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr).
      const [, , , , rekeyRequest, rekeyResponse] = capture.datagrams.map((d) => hex(d.hex));
      const rekeyReq = openWith(rekeyRequest!, keys.skEi, keys.skAi);
      const rekeyRes = openWith(rekeyResponse!, keys.skEr, keys.skAr);
      expect(findNotify(rekeyReq.payloads, NotifyType.REKEY_SA)).toBeDefined();
      expect(findPayload(rekeyReq.payloads, PayloadType.KE)).toBeDefined();
      const gir = hex(logged[1]!.sharedSecret!);
      const newNonceI = Buffer.from(findPayload(rekeyReq.payloads, PayloadType.NONCE)!.data);
      const newNonceR = Buffer.from(findPayload(rekeyRes.payloads, PayloadType.NONCE)!.data);
      expect(Buffer.concat([gir, newNonceI, newNonceR]).toString('hex')).toBe(logged[1]!.seed);
      const second = must(deriveChildSaKeys({ prf, skD: keys.skD, suite: espSuite, nonceI: newNonceI, nonceR: newNonceR, sharedSecret: gir }));
      expect(second.initiatorToResponder.encryptionKey.toString('hex')).toBe(logged[1]!.encryptionInitiatorKey);
      expect(second.responderToInitiator.encryptionKey.toString('hex')).toBe(logged[1]!.encryptionResponderKey);
      expect(second.responderToInitiator.integrityKey.toString('hex')).toBe(logged[1]!.integrityResponderKey ?? '');
      sas.push({ keys: second, spis: spisOf(rekeyReq, rekeyRes) });

      const probes: string[] = [];
      for (const packet of espPackets) {
        const esp = hex(packet.hex);
        const spi = esp.subarray(0, 4).toString('hex');
        const i2r = packet.from === capture.initiator.address;
        const index = sas.findIndex((sa) => (i2r ? sa.spis.towardsResponder : sa.spis.towardsInitiator) === spi);
        expect(index).toBeGreaterThanOrEqual(0);
        const sa = sas[index]!.keys;
        const direction = i2r ? sa.initiatorToResponder : sa.responderToInitiator;
        const other = i2r ? sa.responderToInitiator : sa.initiatorToResponder;
        const opened = openEsp(espSuite, direction, esp);
        if (!opened) throw new Error(`ESP packet ${spi} does not open with its direction's keys`);
        expect(openEsp(espSuite, other, esp)).toBeUndefined();
        // RFC 4303 trailer: Pad Length, Next Header (4 = IPv4, tunnel mode).
        expect(opened[opened.length - 1]).toBe(4);
        const inner = opened.subarray(0, opened.length - 2 - opened[opened.length - 2]!);
        const source = [...inner.subarray(12, 16)].join('.');
        const destination = [...inner.subarray(16, 20)].join('.');
        expect(i2r ? [source, destination] : [destination, source]).toEqual(['198.51.100.1', '203.0.113.1']);
        if (inner[9] === 17) probes.push(`${index}:${inner.subarray((inner[0]! & 0x0f) * 4 + 8).toString().trim()}`);
      }
      expect(new Set(probes)).toEqual(new Set(['0:nodeswan-esp-probe-i2r', '0:nodeswan-esp-probe-r2i', '1:nodeswan-esp-probe-i2r-pfs', '1:nodeswan-esp-probe-r2i-pfs']));
    });

  const rekeyed = capture.rekeyedInitiatorLog;
  if (rekeyed)
    it('IKE SA rekey (§2.18): CREATE_CHILD_SA decrypts with the old keys and the new SA keys re-derive', () => {
      const [, , , , rekeyRequest, rekeyResponse, deleteRequest] = capture.datagrams.map((d) => hex(d.hex));
      const req = openWith(rekeyRequest!, keys.skEi, keys.skAi);
      const res = openWith(rekeyResponse!, keys.skEr, keys.skAr);
      expect(req.message.header.exchangeType).toBe(ExchangeType.CREATE_CHILD_SA);
      const newSpiI = Buffer.from(findPayload(req.payloads, PayloadType.SA)!.proposals[0]!.spi);
      const newSpiR = Buffer.from(findPayload(res.payloads, PayloadType.SA)!.proposals[0]!.spi);
      const newNonceI = Buffer.from(findPayload(req.payloads, PayloadType.NONCE)!.data);
      const newNonceR = Buffer.from(findPayload(res.payloads, PayloadType.NONCE)!.data);
      const gir = hex(rekeyed.sharedSecret!);
      expect(rekeySkeyseed(prf, keys.skD, gir, newNonceI, newNonceR).toString('hex')).toBe(rekeyed.skeyseed);
      const next = must(deriveRekeyedIkeSaKeys({ prf, oldPrf: prf, oldSkD: keys.skD, suite, nonceI: newNonceI, nonceR: newNonceR, spiI: newSpiI, spiR: newSpiR, sharedSecret: gir }));
      for (const name of ['skD', 'skEi', 'skEr', 'skPi', 'skPr'] as const) expect(next[name].toString('hex')).toBe(rekeyed[name]);
      expect(capture.rekeyedResponderLog).toEqual(rekeyed);
      // The old SA is then deleted with a message protected by the old keys.
      const deletion = openWith(deleteRequest!, keys.skEi, keys.skAi);
      expect(deletion.message.header.exchangeType).toBe(ExchangeType.INFORMATIONAL);
      expect(findPayload(deletion.payloads, PayloadType.D)).toBeDefined();
    });

  it('re-sealing the decrypted payloads gives a message that opens to the same payloads', () => {
    const req = openWith(authRequest, keys.skEi, keys.skAi);
    const sealer = must(SkCipher.create(suite, { encryptionKey: keys.skEi, integrityKey: keys.skAi }));
    const resealed = sealMessage(req.message.header, req.payloads as Payload[], sealer);
    expect(resealed.length).toBe(authRequest.length); // same padding rule as strongSwan for these sizes
    const again = openWith(resealed, keys.skEi, keys.skAi);
    expect(again.payloads).toEqual(req.payloads);
    expect(filterPayloads(again.payloads, PayloadType.N).length).toBe(filterPayloads(req.payloads, PayloadType.N).length);
  });
});
