// Real messages from strongSwan 5.9.8 (test/vectors/capture/, made by
// make-capture.sh there; the files are regenerated with fresh keys, so
// these tests read whatever they hold). Every datagram must decode,
// re-encode byte for byte and satisfy its exchange rules; the SK content
// is decrypted with the logged keys and its inner chain checked too.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuthMethod,
  ExchangeType,
  IdType,
  PayloadType,
  checkExchangeRules,
  decodeMessage,
  decodePayloadChain,
  encodeMessage,
  encodePayloadChain,
  findPayload,
  formatIdData,
  isAddressRange,
  isPayload,
  type Payload,
} from '../../src/wire/index.js';
import { decryptSk } from './capture-decrypt.js';
import { ok } from './helpers.js';

const dir = join(import.meta.dirname, '../vectors/capture');
interface Capture {
  name: string;
  proposal: string;
  /** psk (absent in older files) or a signature scheme (RFC 7427). */
  auth?: string;
  initiator: { id: string };
  responder: { id: string };
  datagrams: { hex: string; fromPort: number }[];
  initiatorLog: Record<string, string>;
}
const captures: Capture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Capture);

/**
 * The IKE message of a datagram: the extractor already removes the RFC 3948
 * non-ESP marker of port 4500; strip it here only if still present (an IKE
 * message starts with a non-zero SPI, the marker is four zero octets).
 */
const ikeBytes = (d: { hex: string; fromPort: number }): Buffer => {
  const b = Buffer.from(d.hex, 'hex');
  return d.fromPort === 4500 && b.readUInt32BE(0) === 0 ? b.subarray(4) : b;
};

describe('strongSwan captures', () => {
  it('there is at least one capture', () => expect(captures.length).toBeGreaterThan(0));

  for (const cap of captures) {
    describe(cap.name, () => {
      it('every datagram decodes, re-encodes byte for byte and satisfies the outer rules', () => {
        for (const d of cap.datagrams) {
          const bytes = ikeBytes(d);
          const msg = ok(decodeMessage(bytes));
          expect(encodeMessage(msg).toString('hex')).toBe(bytes.toString('hex'));
          expect(checkExchangeRules(msg.header.exchangeType, msg.header.flags.response, msg.payloads)).toEqual([]);
        }
      });

      it('IKE_SA_INIT carries SA, KE, Nonce and NAT detection both ways', () => {
        const [req, resp] = cap.datagrams.slice(0, 2).map((d) => ok(decodeMessage(ikeBytes(d))));
        for (const m of [req!, resp!]) {
          expect(m.header.exchangeType).toBe(ExchangeType.IKE_SA_INIT);
          expect(findPayload(m.payloads, PayloadType.SA)?.proposals.length).toBeGreaterThan(0);
          expect(findPayload(m.payloads, PayloadType.KE)?.data.length).toBeGreaterThan(0);
          expect(findPayload(m.payloads, PayloadType.NONCE)?.data.length).toBeGreaterThanOrEqual(16);
        }
        expect(resp!.header.flags).toEqual({ initiator: false, response: true, version: false });
        expect(req!.header.spiR.equals(Buffer.alloc(8))).toBe(true);
        // The responder answers with exactly one proposal.
        expect(findPayload(resp!.payloads, PayloadType.SA)?.proposals).toHaveLength(1);
      });

      it('the IKE_AUTH request decrypts to IDi, AUTH, SA, TSi, TSr that satisfy the inner rules', () => {
        const bytes = ikeBytes(cap.datagrams[2]!);
        const msg = ok(decodeMessage(bytes));
        const sk = msg.payloads[0]!;
        if (!isPayload(sk, PayloadType.SK)) throw new Error('IKE_AUTH without SK');
        // AEAD associated data: IKE header + SK generic payload header.
        expect(msg.skBodyOffset).toBe(32);
        const keys = { proposal: cap.proposal, skE: Buffer.from(cap.initiatorLog.skEi!, 'hex'), skA: cap.initiatorLog.skAi ? Buffer.from(cap.initiatorLog.skAi, 'hex') : undefined };
        const plain = decryptSk(bytes, msg.skBodyOffset!, keys);
        const inner = ok(decodePayloadChain(sk.nextPayload, plain, 'SK', msg.skBodyOffset! + 8));
        expect(Buffer.from(encodePayloadChain(inner).bytes).toString('hex')).toBe(plain.toString('hex'));
        expect(checkExchangeRules(ExchangeType.IKE_AUTH, false, msg.payloads, inner)).toEqual([]);

        const idi = findPayload(inner, PayloadType.IDi)!;
        expect([idi.idType, formatIdData(idi.idType, idi.data)]).toEqual([IdType.ID_FQDN, cap.initiator.id]);
        expect(findPayload(inner, PayloadType.AUTH)?.method).toBe(
          (cap.auth ?? 'psk') === 'psk' ? AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE : AuthMethod.DIGITAL_SIGNATURE,
        );
        const tsi = findPayload(inner, PayloadType.TSi)!.selectors[0]!;
        if (!isAddressRange(tsi)) throw new Error('TSi not a range');
        expect([formatIdData(IdType.ID_IPV4_ADDR, tsi.startAddress), formatIdData(IdType.ID_IPV4_ADDR, tsi.endAddress)]).toEqual(['198.51.100.0', '198.51.100.255']);
        const child = findPayload(inner, PayloadType.SA)!.proposals[0]!;
        expect([child.protocolId, child.spi.length]).toEqual([3, 4]);
      });

      it('the IKE_AUTH response decrypts to IDr and AUTH', () => {
        const bytes = ikeBytes(cap.datagrams[3]!);
        const msg = ok(decodeMessage(bytes));
        const sk = msg.payloads[0]!;
        if (!isPayload(sk, PayloadType.SK)) throw new Error('IKE_AUTH without SK');
        const log = cap.initiatorLog;
        const plain = decryptSk(bytes, msg.skBodyOffset!, { proposal: cap.proposal, skE: Buffer.from(log.skEr!, 'hex'), skA: log.skAr ? Buffer.from(log.skAr, 'hex') : undefined });
        const inner: Payload[] = ok(decodePayloadChain(sk.nextPayload, plain, 'SK'));
        expect(checkExchangeRules(ExchangeType.IKE_AUTH, true, msg.payloads, inner)).toEqual([]);
        const idr = findPayload(inner, PayloadType.IDr)!;
        expect(formatIdData(idr.idType, idr.data)).toBe(cap.responder.id);
        expect(findPayload(inner, PayloadType.AUTH)).toBeDefined();
      });
    });
  }
});
