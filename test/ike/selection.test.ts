import { describe, expect, it } from 'vitest';
import { connForAuth, connsByAddress } from '../../src/ike/conn-lookup.js';
import { explainNoProposal, explainPskMismatch } from '../../src/ike/explain.js';
import { parseIdentity } from '../../src/ike/identity.js';
import { formatProposal } from '../../src/ike/proposal.js';
import { acceptChosen, selectProposal } from '../../src/ike/proposal-select.js';
import { formatTs, narrow, tsFromCidr, withinProposed } from '../../src/ike/traffic-selectors.js';
import { ENCR, ESN, INTEG, KE, PRF, TransformType } from '../../src/wire/iana/transforms.js';
import {
  conn,
  encr,
  ESP_CBC,
  ESP_GCM,
  esn,
  IKE_CBC_MODP2048,
  IKE_GCM_X25519,
  IKE_LEGACY,
  integ,
  ke,
  prf,
  proposal,
} from './fixtures.js';

describe('proposal selection (RFC 7296 §2.7)', () => {
  it('picks one transform per type, in our preference order', () => {
    const offered = [
      proposal('ike', [
        encr(ENCR.AES_CBC, 128),
        encr(ENCR.AES_CBC, 256),
        integ(INTEG.HMAC_SHA1_96),
        integ(INTEG.HMAC_SHA2_256_128),
        prf(PRF.HMAC_SHA2_256),
        ke(KE.MODP_1024),
        ke(KE.MODP_2048),
      ]),
    ];
    const ours = [proposal('ike', [encr(ENCR.AES_CBC, 256), integ(INTEG.HMAC_SHA2_256_128), prf(PRF.HMAC_SHA2_256), ke(KE.MODP_2048)])];
    const { selected } = selectProposal(ours, offered);
    expect(selected && formatProposal(selected)).toBe('AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048');
  });

  it('keeps the offered proposal number and SPI', () => {
    const offered = [
      { ...IKE_LEGACY, number: 1 },
      { ...ESP_GCM, number: 2, spi: new Uint8Array([1, 2, 3, 4]) },
    ];
    const { selected } = selectProposal([ESP_GCM], offered, { ignoreKe: true });
    expect(selected?.number).toBe(2);
    expect(selected?.spi).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  it('distinguishes key lengths', () => {
    const r = selectProposal([IKE_GCM_X25519], [proposal('ike', [encr(ENCR.AES_GCM_16, 128), prf(PRF.HMAC_SHA2_256), ke(KE.CURVE25519)])]);
    expect(r.selected).toBeUndefined();
    expect(r.closestMissing).toEqual([TransformType.ENCR]);
  });

  it('reads a missing ESN as NO_ESN and ignores KE in IKE_AUTH child proposals', () => {
    const offered = [proposal('esp', [encr(ENCR.AES_GCM_16, 256), ke(KE.MODP_2048)])];
    const { selected } = selectProposal([ESP_GCM], offered, { ignoreKe: true });
    expect(selected && formatProposal(selected)).toBe('AES_GCM_16_256/NO_ESN');
  });

  it('initiator accepts only a choice drawn from what it sent', () => {
    const sent = [IKE_CBC_MODP2048];
    expect(acceptChosen(sent, IKE_CBC_MODP2048)).toBeDefined();
    expect(acceptChosen(sent, { ...IKE_CBC_MODP2048, transforms: [...IKE_CBC_MODP2048.transforms, ke(KE.ECP_256)] })).toBeUndefined();
    expect(acceptChosen(sent, { ...IKE_CBC_MODP2048, number: 2 })).toBeUndefined();
    expect(acceptChosen([ESP_CBC], proposal('esp', [encr(ENCR.AES_CBC, 128), integ(INTEG.HMAC_SHA2_256_128), esn(ESN.ESN)]))).toBeUndefined();
  });

  it('explains a mismatch in one line naming both sides', () => {
    const r = selectProposal([IKE_GCM_X25519], [IKE_LEGACY]);
    expect(r.selected).toBeUndefined();
    const line = explainNoProposal('ike', 'office', [IKE_LEGACY], [IKE_GCM_X25519], r.closestMissing);
    expect(line).toBe(
      "no acceptable IKE proposal: peer offered AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024, conn 'office' accepts AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519; no common encryption, PRF, key exchange",
    );
    expect(line).not.toContain('\n');
  });
});

describe('traffic selector narrowing (RFC 7296 §2.9)', () => {
  it('narrows a wide offer to the configured subnet', () => {
    const offered = [tsFromCidr('0.0.0.0/0')];
    const result = narrow(offered, [tsFromCidr('203.0.113.0/24')]);
    expect(result.map(formatTs)).toEqual(['203.0.113.0/24']);
    expect(withinProposed(offered, result)).toBe(true);
    expect(withinProposed([tsFromCidr('203.0.113.0/25')], result)).toBe(false);
  });

  it('intersects protocol and ports', () => {
    const result = narrow([tsFromCidr('192.0.2.2/32', 17)], [tsFromCidr('192.0.2.0/24', 0, 1701)]);
    expect(result.map(formatTs)).toEqual(['192.0.2.2/32[udp/1701]']);
    expect(narrow([tsFromCidr('192.0.2.2/32', 6)], [tsFromCidr('192.0.2.0/24', 17)])).toEqual([]);
    expect(narrow([tsFromCidr('2001:db8::/32')], [tsFromCidr('192.0.2.0/24')])).toEqual([]);
  });
});

describe('conn lookup', () => {
  const office = conn({ name: 'office', remoteAddress: '%any', remoteId: parseIdentity('@carol.example') });
  const exact = conn({ name: 'exact', remoteAddress: '192.0.2.2', remoteId: parseIdentity('@dave.example') });
  const other = conn({ name: 'other', localAddress: '192.0.2.9' });

  it('ranks exact addresses above %any and skips conns for other local addresses', () => {
    expect(connsByAddress([office, exact, other], '192.0.2.1', '192.0.2.2').map((r) => r.conn.name)).toEqual(['exact', 'office']);
  });

  it('picks by peer ID in IKE_AUTH even when another conn matches the address better', () => {
    const q = {
      local: '192.0.2.1',
      remote: '192.0.2.2',
      peerId: parseIdentity('@carol.example'),
      ikeProposal: IKE_GCM_X25519,
      tsi: [tsFromCidr('192.0.2.2/32')],
      tsr: [tsFromCidr('192.0.2.1/32')],
    };
    const r = connForAuth([office, exact], q);
    expect(r.ok && r.conn.name).toBe('office');
    const none = connForAuth([exact], { ...q, peerId: parseIdentity('@mallory.example') });
    expect(none).toEqual({
      ok: false,
      reason: "no conn accepts peer 'mallory.example' (192.0.2.2): 'exact' expects peer ID 'dave.example'",
    });
  });
});

describe('auth explanations', () => {
  it('names IDs and conn but no secret', () => {
    const line = explainPskMismatch({ connName: 'office', peerAddress: '192.0.2.2', peerId: 'carol.example', localId: 'moon.example' });
    expect(line).toMatch(/^AUTHENTICATION_FAILED: peer 'carol.example' \(192.0.2.2\) .* conn 'office'/);
  });
});
