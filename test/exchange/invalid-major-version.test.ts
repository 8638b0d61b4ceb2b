import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/wire/message.js';
import { findNotify } from '../../src/wire/payload.js';
import { NotifyType } from '../../src/wire/iana/notify-types.js';
import { pair } from './setups.js';

// RFC 7296 §1.5: a request with a higher major version is dropped, and the
// sender SHOULD learn (unauthenticated N(INVALID_MAJOR_VERSION), reply header
// 2.0) which version we speak instead of timing out.
function ikeV3SaInit(response: boolean): Buffer {
  const b = Buffer.alloc(28);
  b.fill(0x11, 0, 8); // SPIi
  b[17] = 0x30; // version 3.0
  b[18] = 34; // IKE_SA_INIT
  b[19] = response ? 0x20 : 0x08;
  b.writeUInt32BE(28, 24);
  return b;
}

describe('a request with IKE major version 3', () => {
  it('is answered with INVALID_MAJOR_VERSION in a 2.0 header, and counted as dropped', async () => {
    const { x, sun } = await pair();
    x.network.inject({ local: { address: '192.0.2.9', port: 500 }, remote: { address: '192.0.2.2', port: 500 }, bytes: ikeV3SaInit(false) });
    await x.settle();
    expect(x.describe()).toEqual(['IKE_SA_INIT response 192.0.2.2 -> 192.0.2.9']);
    const answer = decodeMessage(x.queue[0]!.bytes);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.value.header.majorVersion).toBe(2);
    expect(answer.value.header.spiI.equals(Buffer.alloc(8, 0x11))).toBe(true);
    expect(findNotify(answer.value.payloads, NotifyType.INVALID_MAJOR_VERSION)).toBeDefined();
    expect(sun.engine.status().drops['malformed-header']).toBe(1);
  });

  it('is not answered when it is itself a response', async () => {
    const { x } = await pair();
    x.network.inject({ local: { address: '192.0.2.9', port: 500 }, remote: { address: '192.0.2.2', port: 500 }, bytes: ikeV3SaInit(true) });
    await x.settle();
    expect(x.describe()).toEqual([]);
  });
});
