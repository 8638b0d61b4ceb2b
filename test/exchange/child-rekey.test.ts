// The responder side of a CHILD SA rekey (RFC 7296 §1.3.3), driven the way
// a peer such as strongSwan does it: CREATE_CHILD_SA with N(REKEY_SA),
// then an INFORMATIONAL Delete of the old pair. The requests are built
// here from the initiator's own SA keys, so the test also checks that the
// KEYMAT directions match what the peer computes.

import { describe, expect, it } from 'vitest';
import { deriveChildSaKeys } from '../../src/crypto/child-sa-keys.js';
import { createKeyExchange } from '../../src/crypto/ke/key-exchange.js';
import { resolveCipherSuite } from '../../src/crypto/registry/index.js';
import { encodeProtected, openMessage } from '../../src/ike/protection.js';
import { proposalsToWire, spiToBytes, tsToWire } from '../../src/ike/wire-adapt.js';
import { ENCR, ESN, ExchangeType, findPayload, KE, NotifyType, PayloadType, ProtocolId, type Payload } from '../../src/wire/index.js';
import { encr, esn, ke, proposal } from '../ike/fixtures.js';
import { notify } from '../../src/ike/tasks/task.js';
import { pair } from './setups.js';

const ESP_GCM_PFS = proposal('esp', [encr(ENCR.AES_GCM_16, 256), ke(KE.CURVE25519), esn(ESN.NO_ESN)]);

describe('CHILD SA rekey, responder side', () => {
  for (const pfs of [false, true]) {
    it(`installs the new pair without touching policies, then drops the old one on Delete${pfs ? ' (PFS)' : ''}`, async () => {
      const child = pfs ? { childProposals: [ESP_GCM_PFS] } : {};
      const { x, moon, sun } = await pair(child, child);
      const up = moon.engine.up('office');
      await x.settle();
      await x.run();
      const first = await up;
      expect(first.ok).toBe(true);
      const moonSa = moon.engine.sas()[0]!.data;
      const old = moonSa.children[0]!.params;
      const policiesBefore = await sun.kernel.listPolicies();
      // Record the keys sun hands to its kernel.
      const installed = new Map<number, Uint8Array>();
      for (const method of ['addSa', 'updateSa'] as const) {
        const original = sun.kernel[method].bind(sun.kernel);
        sun.kernel[method] = async (spec) => {
          installed.set(spec.spi, spec.algorithms.aead!.key);
          return original(spec);
        };
      }

      // moon's side of the exchange, by hand.
      const newSpi = 0xc0ffee01;
      const nonceI = Buffer.alloc(32, 0x11);
      const keI = pfs ? createKeyExchange(KE.CURVE25519) : undefined;
      if (keI && !keI.ok) throw keI.error;
      const offer = [{ ...(pfs ? ESP_GCM_PFS : moonSa.conn!.childProposals[0]!), number: 1 }];
      const inner: Payload[] = [
        notify(NotifyType.REKEY_SA, new Uint8Array(0), ProtocolId.ESP, spiToBytes(old.spiIn)),
        { type: PayloadType.SA, critical: false, proposals: proposalsToWire(offer, spiToBytes(newSpi)) },
        { type: PayloadType.NONCE, critical: false, data: nonceI },
        ...(keI?.ok ? [{ type: PayloadType.KE, critical: false, group: KE.CURVE25519, data: keI.value.publicValue } as Payload] : []),
        { type: PayloadType.TSi, critical: false, selectors: tsToWire(old.localTs) },
        { type: PayloadType.TSr, critical: false, selectors: tsToWire(old.remoteTs) },
      ];
      const header = (type: number, messageId: number) => ({ spiI: moonSa.spiI, spiR: moonSa.spiR, exchangeType: type, messageId, initiator: true, response: false });
      const send = async (bytes: Buffer) => {
        sun.transport.deliver({ local: { address: '192.0.2.2', port: 500 }, remote: { address: '192.0.2.1', port: 500 }, bytes });
        await x.settle();
        const reply = x.queue.shift()!;
        const opened = openMessage(reply.bytes, moonSa.skIn);
        if (!opened.ok) throw new Error(opened.detail);
        return opened.payloads;
      };

      const answer = await send(encodeProtected(header(ExchangeType.CREATE_CHILD_SA, 2), inner, moonSa.skOut!));
      const sunSpi = Buffer.from(findPayload(answer, PayloadType.SA)!.proposals[0]!.spi).readUInt32BE(0);
      const nonceR = findPayload(answer, PayloadType.NONCE)!.data;
      expect(findPayload(answer, PayloadType.KE) !== undefined).toBe(pfs);

      // What moon would derive must be what sun installed.
      let shared: Buffer | undefined;
      if (keI?.ok) {
        const r = keI.value.computeSharedSecret(findPayload(answer, PayloadType.KE)!.data);
        if (!r.ok) throw r.error;
        shared = r.value;
      }
      const suite = resolveCipherSuite({ id: ENCR.AES_GCM_16, keyLength: 256 });
      if (!suite.ok) throw suite.error;
      const keys = deriveChildSaKeys({ prf: moonSa.prf!, skD: moonSa.keys!.skD, suite: suite.value, nonceI, nonceR, ...(shared ? { sharedSecret: shared } : {}) });
      if (!keys.ok) throw keys.error;
      // Make-before-break: sun receives on the new inbound SA at once, but
      // keeps sending on the old pair until moon (which installs the new
      // pair when this answer arrives) deletes the old one.
      const sas = await sun.kernel.listSas();
      expect(sas).toHaveLength(3);
      expect(sas.some((s) => s.spi === sunSpi && s.dst === '192.0.2.2')).toBe(true);
      expect(sas.some((s) => s.spi === newSpi)).toBe(false);
      // sun receives on sunSpi what moon encrypts (i->r).
      expect(Buffer.from(installed.get(sunSpi)!).equals(keys.value.initiatorToResponder.encryptionKey)).toBe(true);
      expect(await sun.kernel.listPolicies()).toEqual(policiesBefore);

      // moon deletes the old pair.
      const del = await send(
        encodeProtected(header(ExchangeType.INFORMATIONAL, 3), [{ type: PayloadType.D, critical: false, protocolId: ProtocolId.ESP, spiSize: 4, spis: [spiToBytes(old.spiIn)] }], moonSa.skOut!),
      );
      expect(findPayload(del, PayloadType.D)?.spis.map((s) => Buffer.from(s).readUInt32BE(0))).toEqual([old.spiOut]);
      const left = await sun.kernel.listSas();
      expect(left.map((s) => s.spi).sort()).toEqual([newSpi, sunSpi].sort());
      // ... and sends on newSpi with the r->i key from then on.
      expect(left.find((s) => s.spi === newSpi)?.dst).toBe('192.0.2.1');
      expect(Buffer.from(installed.get(newSpi)!).equals(keys.value.responderToInitiator.encryptionKey)).toBe(true);
      expect(await sun.kernel.listPolicies()).toEqual(policiesBefore);
      expect(sun.engine.status().ikeSas[0]!.children.map((c) => c.spiIn)).toEqual([sunSpi.toString(16).padStart(8, '0')]);
    });
  }
});
