// Requests that do not decode or break their exchange's payload rules
// (RFC 7296 §2.5, §2.21): what the responder answers, and that the answer
// costs neither an established IKE SA nor a half-open SA's memory.
import { describe, expect, it } from 'vitest';
import { openMessage, encodeProtected } from '../../src/ike/protection.js';
import { ExchangeType } from '../../src/wire/iana/exchange-types.js';
import { NotifyType } from '../../src/wire/iana/notify-types.js';
import { PayloadType } from '../../src/wire/iana/payload-types.js';
import { decodeMessage, encodeMessage } from '../../src/wire/message.js';
import { findNotify, type Payload } from '../../src/wire/payload.js';
import type { Exchange, Side } from './harness.js';
import { pair } from './setups.js';

/** A payload type nodeswan does not know, with the critical bit set. */
const unknownCritical = { type: 200, critical: true, raw: Uint8Array.of(1, 2, 3, 4) } as Payload;

async function established(): Promise<{ x: Exchange; moon: Side; sun: Side; endpoints: { moon: { address: string; port: number }; sun: { address: string; port: number } } }> {
  const p = await pair();
  const up = p.moon.engine.up('office');
  await p.x.settle();
  const first = p.x.queue[0]!;
  await p.x.run();
  expect((await up).ok).toBe(true);
  return { ...p, endpoints: { moon: first.local, sun: first.remote } };
}

/** Moon's IKE SA sends `inner` as a request with its next message ID, straight to sun. */
async function sendAsMoon(p: Awaited<ReturnType<typeof established>>, exchangeType: number, inner: Payload[]): Promise<{ bytes: Buffer; messageId: number }> {
  const sa = p.moon.engine.sas()[0]!.data;
  const messageId = sa.requests.nextMessageId;
  const bytes = encodeProtected({ spiI: sa.spiI, spiR: sa.spiR, exchangeType, messageId, initiator: true, response: false }, inner, sa.skOut!);
  p.sun.transport.deliver({ local: p.endpoints.sun, remote: p.endpoints.moon, bytes });
  await p.x.settle();
  return { bytes, messageId };
}

/** The one answer queued towards moon, opened with moon's keys. */
function openAnswer(p: Awaited<ReturnType<typeof established>>): { exchangeType: number; messageId: number; response: boolean; payloads: Payload[] } {
  expect(p.x.queue).toHaveLength(1);
  const opened = openMessage(p.x.queue[0]!.bytes, p.moon.engine.sas()[0]!.data.skIn);
  if (!opened.ok) throw new Error(opened.detail);
  const h = opened.message.header;
  return { exchangeType: h.exchangeType, messageId: h.messageId, response: h.flags.response, payloads: opened.payloads };
}

describe('malformed requests inside an established IKE SA', () => {
  it('an unknown critical payload is answered with an encrypted UNSUPPORTED_CRITICAL_PAYLOAD naming its type; the SA stays', async () => {
    const p = await established();
    const { bytes, messageId } = await sendAsMoon(p, ExchangeType.INFORMATIONAL, [unknownCritical]);
    const answer = openAnswer(p);
    expect(answer).toMatchObject({ exchangeType: ExchangeType.INFORMATIONAL, messageId, response: true });
    const n = findNotify(answer.payloads, NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD);
    expect(n?.data).toEqual(Buffer.of(200));
    expect(p.sun.engine.status().drops['malformed']).toBe(1);
    expect(p.sun.log.join('\n')).toContain(`INFORMATIONAL request ${messageId} from 192.0.2.1 rejected with UNSUPPORTED_CRITICAL_PAYLOAD`);
    // A retransmission of the same request gets the same answer from the cache.
    const first = p.x.queue.pop()!.bytes;
    p.sun.transport.deliver({ local: p.endpoints.sun, remote: p.endpoints.moon, bytes });
    await p.x.settle();
    expect(p.x.queue).toHaveLength(1);
    expect(p.x.queue[0]!.bytes.equals(first)).toBe(true);
    const sa = p.sun.engine.status().ikeSas;
    expect(sa).toHaveLength(1);
    expect(sa[0]).toMatchObject({ state: 'ESTABLISHED' });
    expect(sa[0]!.children.map((c) => c.state)).toEqual(['INSTALLED']);
  });

  it('a CREATE_CHILD_SA request without SA, Ni and TS payloads gets an encrypted INVALID_SYNTAX', async () => {
    const p = await established();
    const { messageId } = await sendAsMoon(p, ExchangeType.CREATE_CHILD_SA, []);
    const answer = openAnswer(p);
    expect(answer).toMatchObject({ exchangeType: ExchangeType.CREATE_CHILD_SA, messageId, response: true });
    expect(answer.payloads.map((x) => (x.type === PayloadType.N ? (x as { notifyType: number }).notifyType : x.type))).toEqual([NotifyType.INVALID_SYNTAX]);
    expect(p.sun.engine.status().drops['rule-violation']).toBe(1);
    expect(p.sun.engine.status().ikeSas[0]).toMatchObject({ state: 'ESTABLISHED' });
  });

  it('a request with a wrong ICV gets no answer', async () => {
    const p = await established();
    const sa = p.moon.engine.sas()[0]!.data;
    const bytes = encodeProtected({ spiI: sa.spiI, spiR: sa.spiR, exchangeType: ExchangeType.INFORMATIONAL, messageId: sa.requests.nextMessageId, initiator: true, response: false }, [unknownCritical], sa.skOut!);
    bytes[bytes.length - 1]! ^= 1;
    p.sun.transport.deliver({ local: p.endpoints.sun, remote: p.endpoints.moon, bytes });
    await p.x.settle();
    expect(p.x.queue).toHaveLength(0);
    expect(p.sun.engine.status().drops['bad-icv']).toBe(1);
  });
});

describe('malformed IKE_SA_INIT requests', () => {
  async function initRequest(): Promise<{ p: Awaited<ReturnType<typeof pair>>; message: ReturnType<typeof decodeMessage> & { ok: true }; endpoints: { local: { address: string; port: number }; remote: { address: string; port: number } } }> {
    const p = await pair();
    void p.moon.engine.up('office');
    await p.x.settle();
    const d = p.x.queue.shift()!;
    const message = decodeMessage(d.bytes);
    if (!message.ok) throw new Error('own IKE_SA_INIT does not decode');
    return { p, message, endpoints: { local: d.remote, remote: d.local } };
  }

  it('an unknown critical payload gets the unprotected UNSUPPORTED_CRITICAL_PAYLOAD and leaves no SA', async () => {
    const { p, message, endpoints } = await initRequest();
    const bytes = encodeMessage({ header: message.value.header, payloads: [...message.value.payloads, unknownCritical] });
    p.sun.transport.deliver({ ...endpoints, bytes });
    await p.x.settle();
    expect(p.x.describe()).toEqual(['IKE_SA_INIT response 192.0.2.2 -> 192.0.2.1']);
    const answer = decodeMessage(p.x.queue[0]!.bytes);
    if (!answer.ok) throw new Error('answer does not decode');
    expect(answer.value.header.spiR).toEqual(Buffer.alloc(8));
    expect(findNotify(answer.value.payloads, NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD)?.data).toEqual(Buffer.of(200));
    expect(p.sun.engine.sas()).toHaveLength(0);
  });

  it('a truncated one gets no answer and leaves no half-open SA behind', async () => {
    const { p, message, endpoints } = await initRequest();
    const whole = encodeMessage(message.value);
    const bytes = Buffer.from(whole.subarray(0, whole.length - 10));
    bytes.writeUInt32BE(bytes.length, 24);
    p.sun.transport.deliver({ ...endpoints, bytes });
    await p.x.settle();
    expect(p.x.queue).toHaveLength(0);
    expect(p.sun.engine.status().drops['malformed']).toBe(1);
    expect(p.sun.engine.sas()).toHaveLength(0);
    expect(p.sun.engine.status().ikeSaInit?.halfOpen).toBe(0);
  });
});
