// Admission of new IKE_SA_INIT requests under load (RFC 7296 §2.6): below
// ddos-ike-threshold a request creates a half-open SA (and costs a DH);
// from the threshold on, new initiators get a stateless N(COOKIE) answer
// and only those that return it create state; at max-halfopen-ike nothing
// is admitted. Spoofed requests come from 100.64.0.0/10 addresses that
// never answer.
import { describe, expect, it } from 'vitest';
import { Exchange, pskSecrets } from './harness.js';
import { moonConn, PSK, sunConn } from './setups.js';
import { ikeSaInitRequest } from '../vectors/wire/samples.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { findNotify, findPayload } from '../../src/wire/payload.js';
import { NotifyType } from '../../src/wire/iana/notify-types.js';
import { PayloadType } from '../../src/wire/iana/payload-types.js';
import type { Datagram } from '../../src/net/transport.js';

const SUN = '192.0.2.2';

function initRequest(n: number, cookie?: Uint8Array): Buffer {
  const msg = ikeSaInitRequest();
  const spiI = Buffer.alloc(8);
  spiI.writeUInt32BE(0x5b00f, 0);
  spiI.writeUInt32BE(n, 4);
  const payloads = cookie ? [{ type: PayloadType.N, critical: false, protocolId: 0, spi: Buffer.alloc(0), notifyType: NotifyType.COOKIE, data: cookie }, ...msg.payloads] : msg.payloads;
  return encodeMessage({ ...msg, header: { ...msg.header, spiI }, payloads: payloads as typeof msg.payloads });
}

const spoofed = (n: number) => `100.64.${(n >> 8) & 0xff}.${n & 0xff}`;

async function setup() {
  const x = new Exchange();
  const moon = await x.side('moon', '192.0.2.1');
  const sun = await x.side('sun', SUN);
  const secrets = pskSecrets(PSK, '@moon.example', '@sun.example');
  await moon.engine.loadConns([moonConn()], secrets);
  await sun.engine.loadConns([sunConn({ remoteAddress: '%any' })], secrets);
  sun.engine.setInitLimits({ cookieThreshold: 3, halfOpenLimit: 5, cookieSecretLifetimeMs: 10_000 });
  /** Hands sun one IKE_SA_INIT request from `address`; returns sun's answers to it (taken off the queue). */
  const inject = async (address: string, bytes: Buffer): Promise<Datagram[]> => {
    sun.transport.deliver({ local: { address: SUN, port: 500 }, remote: { address, port: 500 }, bytes });
    await x.settle();
    const answers = x.queue.filter((d) => d.remote.address === address);
    x.queue.splice(0, x.queue.length, ...x.queue.filter((d) => d.remote.address !== address));
    return answers;
  };
  return { x, moon, sun, inject };
}

function kinds(answers: Datagram[]): string[] {
  return answers.map((d) => {
    const m = decodeMessage(d.bytes);
    if (!m.ok) return 'malformed';
    if (findNotify(m.value.payloads, NotifyType.COOKIE)) return m.value.payloads.length === 1 ? 'COOKIE' : 'COOKIE+more';
    return findPayload(m.value.payloads, PayloadType.KE) ? 'KE' : 'other';
  });
}

function cookieOf(answers: Datagram[]): Uint8Array {
  const m = decodeMessage(answers[0]!.bytes);
  if (!m.ok) throw new Error('no answer');
  return findNotify(m.value.payloads, NotifyType.COOKIE)!.data;
}

describe('IKE_SA_INIT admission: COOKIE threshold and half-open limit', () => {
  it('answers with a COOKIE and no DH from the threshold on; a real initiator still gets in', async () => {
    const { x, moon, sun, inject } = await setup();
    for (let n = 1; n <= 3; n++) expect(kinds(await inject(spoofed(n), initRequest(n)))).toEqual(['KE']);
    let load = sun.engine.status().ikeSaInit!;
    expect(load).toMatchObject({ halfOpen: 3, cookieMode: false, responderSas: 3, cookieThreshold: 3, halfOpenLimit: 5 });

    for (let n = 4; n <= 103; n++) expect(kinds(await inject(spoofed(n), initRequest(n)))).toEqual(['COOKIE']);
    load = sun.engine.status().ikeSaInit!;
    expect(load).toMatchObject({ halfOpen: 3, cookieMode: true, responderSas: 3 });
    expect(sun.engine.sas()).toHaveLength(3);
    expect(sun.engine.status().drops['cookie-required']).toBe(100);
    expect(sun.log.filter((l) => l.includes('new initiators must return a COOKIE first'))).toHaveLength(1);

    // A COOKIE returned from another address, or for another SPI, is no ticket.
    const cookie = cookieOf(await inject(spoofed(200), initRequest(200)));
    expect(kinds(await inject(spoofed(201), initRequest(200, cookie)))).toEqual(['COOKIE']);
    expect(kinds(await inject(spoofed(200), initRequest(201, cookie)))).toEqual(['COOKIE']);
    expect(sun.engine.status().ikeSaInit!.responderSas).toBe(3);

    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    expect(moon.log.join('\n')).toContain('peer asked for COOKIE; restarting IKE_SA_INIT');
    expect(sun.engine.status().ikeSaInit).toMatchObject({ halfOpen: 3, responderSas: 4 });
  });

  it('drops new requests at max-halfopen-ike, even with a valid COOKIE; half-open SAs expire and COOKIE mode ends', async () => {
    const { x, sun, inject } = await setup();
    for (let n = 1; n <= 3; n++) await inject(spoofed(n), initRequest(n));
    // Initiators that do receive our answers return the cookie and get in, up to the limit.
    for (let n = 4; n <= 5; n++) {
      const cookie = cookieOf(await inject(spoofed(n), initRequest(n)));
      expect(kinds(await inject(spoofed(n), initRequest(n, cookie)))).toEqual(['KE']);
    }
    expect(sun.engine.status().ikeSaInit!.halfOpen).toBe(5);
    const before = sun.engine.status().drops['cookie-required'];
    expect(await inject(spoofed(6), initRequest(6))).toEqual([]);
    expect(sun.engine.status().drops['half-open-limit']).toBe(1);
    expect(sun.engine.status().drops['cookie-required']).toBe(before);
    expect(sun.engine.status().ikeSaInit!.responderSas).toBe(5);

    await x.advance(30_000); // half-open SAs that never sent IKE_AUTH are gone
    expect(sun.engine.status().ikeSaInit).toMatchObject({ halfOpen: 0, responderSas: 5 });
    expect(kinds(await inject(spoofed(7), initRequest(7)))).toEqual(['KE']);
    expect(sun.engine.status().ikeSaInit!.cookieMode).toBe(false);
    expect(sun.log.filter((l) => l.includes('below the COOKIE threshold 3: COOKIE mode off'))).toHaveLength(1);
  });

  it('a COOKIE is honoured one secret lifetime after the next rotation, not two', async () => {
    const { x, sun, inject } = await setup();
    for (let n = 1; n <= 3; n++) await inject(spoofed(n), initRequest(n));
    const cookie = cookieOf(await inject(spoofed(9), initRequest(9)));
    expect(Buffer.from(cookie).readUInt32BE(0)).toBe(1);
    await x.advance(10_000);
    expect(sun.engine.status().ikeSaInit!.cookieSecretVersion).toBe(2);
    expect(sun.log.join('\n')).toContain('COOKIE secret rotated, now version 2');
    const stale = cookieOf(await inject(spoofed(8), initRequest(8)));
    await x.advance(10_000); // version 3: a version-2 cookie still counts, a version-1 one no longer
    expect(kinds(await inject(spoofed(9), initRequest(9, cookie)))).toEqual(['COOKIE']);
    expect(kinds(await inject(spoofed(8), initRequest(8, stale)))).toEqual(['KE']);
  });
});
