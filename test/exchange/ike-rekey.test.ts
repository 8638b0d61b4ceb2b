// The responder side of an IKE SA rekey (RFC 7296 §1.3.2, §2.18): against
// strongSwan's captured rekey (our key derivation for the successor must
// give the SK_d strongSwan logged), and between two engines, with the
// request built from the initiator's own keys.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createKeyExchange } from '../../src/crypto/ke/key-exchange.js';
import { keyIkeSa } from '../../src/ike/ike-keys.js';
import { newIkeSaData } from '../../src/ike/ike-sa-data.js';
import { ikeSaStateMachine } from '../../src/ike/ike-sa-state.js';
import { encodeProtected, openMessage } from '../../src/ike/protection.js';
import { defaultRetransmitPolicy } from '../../src/ike/retransmit-policy.js';
import { proposalsFromWire, proposalsToWire } from '../../src/ike/wire-adapt.js';
import { decodeMessage, ExchangeType, findPayload, KE, PayloadType, ProtocolId, type Payload } from '../../src/wire/index.js';
import { IKE_GCM_X25519 } from '../ike/fixtures.js';
import { pair } from './setups.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('IKE SA rekey, responder side', () => {
  it("derives the successor's keys the way strongSwan does (capture)", async () => {
    const c = JSON.parse(readFileSync(join(here, '../vectors/capture/rekey-aes128gcm16-prfsha256-curve25519.json'), 'utf8'));
    const dg = (i: number) => Buffer.from(c.datagrams[i].hex, 'hex');
    const init = decodeMessage(dg(0));
    const resp = decodeMessage(dg(1));
    if (!init.ok || !resp.ok) throw new Error('capture');
    const proposal = proposalsFromWire(findPayload(resp.value.payloads, PayloadType.SA)!.proposals)[0]!;
    const old = newIkeSaData({
      id: 1, initiator: false, state: ikeSaStateMachine(), spiI: Buffer.from(init.value.header.spiI), spiR: Buffer.from(resp.value.header.spiR),
      local: { address: '192.0.2.2', port: 500 }, remote: { address: '192.0.2.1', port: 500 }, retransmit: defaultRetransmitPolicy,
    });
    old.nonceI = Buffer.from(findPayload(init.value.payloads, PayloadType.NONCE)!.data);
    old.nonceR = Buffer.from(findPayload(resp.value.payloads, PayloadType.NONCE)!.data);
    expect(keyIkeSa(old, proposal, Buffer.from(c.responderLog.sharedSecret, 'hex'))).toBeUndefined();
    // strongSwan's rekey request and response, opened with the old keys.
    const req = openMessage(dg(4), old.skIn);
    const res = openMessage(dg(5), old.skOut);
    if (!req.ok || !res.ok) throw new Error('rekey messages do not open');
    const offered = proposalsFromWire(findPayload(req.payloads, PayloadType.SA)!.proposals)[0]!;
    const chosen = proposalsFromWire(findPayload(res.payloads, PayloadType.SA)!.proposals)[0]!;
    const successor = newIkeSaData({
      id: 2, initiator: false, state: ikeSaStateMachine(), spiI: Buffer.from(offered.spi), spiR: Buffer.from(chosen.spi),
      local: old.local, remote: old.remote, retransmit: defaultRetransmitPolicy,
    });
    successor.nonceI = Buffer.from(findPayload(req.payloads, PayloadType.NONCE)!.data);
    successor.nonceR = Buffer.from(findPayload(res.payloads, PayloadType.NONCE)!.data);
    const err = keyIkeSa(successor, chosen, Buffer.from(c.rekeyedResponderLog.sharedSecret, 'hex'), { prf: old.prf!, skD: old.keys!.skD });
    expect(err).toBeUndefined();
    expect(successor.keys!.skD.toString('hex')).toBe(c.rekeyedResponderLog.skD);
    // And the old SA's Delete (datagram 6) opens with the old keys too.
    expect(openMessage(dg(6), old.skIn).ok).toBe(true);
  });

  it('hands the CHILD SAs to the successor; the old SA goes on Delete, the kernel state stays', async () => {
    const { x, moon, sun } = await pair();
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    const m = moon.engine.sas()[0]!.data;
    const kernelBefore = (await sun.kernel.listSas()).map((s) => s.spi).sort();

    const newSpiI = Buffer.from('0123456789abcdef', 'hex');
    const nonceI = Buffer.alloc(32, 0x42);
    const ke = createKeyExchange(KE.CURVE25519);
    if (!ke.ok) throw ke.error;
    const inner: Payload[] = [
      { type: PayloadType.SA, critical: false, proposals: proposalsToWire([IKE_GCM_X25519], newSpiI) },
      { type: PayloadType.NONCE, critical: false, data: nonceI },
      { type: PayloadType.KE, critical: false, group: KE.CURVE25519, data: ke.value.publicValue },
    ];
    const deliver = async (bytes: Buffer) => {
      sun.transport.deliver({ local: { address: '192.0.2.2', port: 500 }, remote: { address: '192.0.2.1', port: 500 }, bytes });
      await x.settle();
      return x.queue.shift()!;
    };
    const reply = await deliver(encodeProtected({ spiI: m.spiI, spiR: m.spiR, exchangeType: ExchangeType.CREATE_CHILD_SA, messageId: 2, initiator: true, response: false }, inner, m.skOut!));
    const opened = openMessage(reply.bytes, m.skIn);
    if (!opened.ok) throw new Error(opened.detail);
    const chosen = proposalsFromWire(findPayload(opened.payloads, PayloadType.SA)!.proposals)[0]!;
    expect(chosen.spi).toHaveLength(8);
    expect(sun.engine.sas()).toHaveLength(2);

    // moon's view of the successor, to talk over it.
    const shared = ke.value.computeSharedSecret(findPayload(opened.payloads, PayloadType.KE)!.data);
    if (!shared.ok) throw shared.error;
    const next = newIkeSaData({
      id: 9, initiator: true, state: ikeSaStateMachine(), spiI: newSpiI, spiR: Buffer.from(chosen.spi),
      local: m.local, remote: m.remote, retransmit: defaultRetransmitPolicy,
    });
    next.nonceI = nonceI;
    next.nonceR = Buffer.from(findPayload(opened.payloads, PayloadType.NONCE)!.data);
    expect(keyIkeSa(next, { ...chosen, spi: new Uint8Array(0) }, shared.value, { prf: m.prf!, skD: m.keys!.skD })).toBeUndefined();

    // The old SA is deleted by its initiator...
    const bye = await deliver(encodeProtected({ spiI: m.spiI, spiR: m.spiR, exchangeType: ExchangeType.INFORMATIONAL, messageId: 3, initiator: true, response: false },
      [{ type: PayloadType.D, critical: false, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }], m.skOut!));
    expect(openMessage(bye.bytes, m.skIn).ok).toBe(true);
    expect(sun.engine.sas()).toHaveLength(1);
    // ...the CHILD SAs live on under the successor, untouched in the kernel.
    expect((await sun.kernel.listSas()).map((s) => s.spi).sort()).toEqual(kernelBefore);
    const status = sun.engine.status().ikeSas[0]!;
    expect(status.spiI).toBe(newSpiI.toString('hex'));
    expect(status.children).toHaveLength(1);
    // A liveness check over the successor's keys, message ID 0 again.
    const ping = await deliver(encodeProtected({ spiI: next.spiI, spiR: next.spiR, exchangeType: ExchangeType.INFORMATIONAL, messageId: 0, initiator: true, response: false }, [], next.skOut!));
    expect(openMessage(ping.bytes, next.skIn).ok).toBe(true);
  });
});
