// Do nodeswan (`ipsec status --json`) and strongSwan (`swanctl --list-sas`)
// describe the same IKE SA and CHILD SA? SPIs must be identical (ours in is
// theirs out), and both must name the algorithms the suite says, each in
// its own spelling: ours are IANA names with the key size appended
// (AES_GCM_16_256), strongSwan's come as separate fields (encr-alg
// AES_GCM_16, encr-keysize 256).

import type { StatusIkeSa } from '../../../src/daemon/engine.js';
import type { SwanIkeSa } from '../../lab/strongswan.js';

export interface SuiteExpectation {
  /** ike= / proposals= and esp= / esp_proposals= as written in the configs. */
  ike: string;
  esp: string;
  /** Our proposal strings' transforms (order-free; ESN is compared separately). */
  oursIke: string[];
  oursEsp: string[];
  /** swanctl --list-sas fields of the IKE SA and the CHILD SA. */
  swanIke: Record<string, string>;
  swanEsp: Record<string, string>;
}

/** The three suites of issue 5, with esp= carrying the same PFS group, as admins write them. */
export const suites: Record<'gcm' | 'cbc' | 'chacha', SuiteExpectation> = {
  gcm: {
    ike: 'aes256gcm16-prfsha384-ecp384',
    esp: 'aes256gcm16-ecp384',
    oursIke: ['AES_GCM_16_256', 'PRF_HMAC_SHA2_384', 'ECP_384'],
    oursEsp: ['AES_GCM_16_256'],
    swanIke: { 'encr-alg': 'AES_GCM_16', 'encr-keysize': '256', 'prf-alg': 'PRF_HMAC_SHA2_384', 'dh-group': 'ECP_384' },
    swanEsp: { 'encr-alg': 'AES_GCM_16', 'encr-keysize': '256' },
  },
  cbc: {
    ike: 'aes128-sha256-modp2048',
    esp: 'aes128-sha256-modp2048',
    oursIke: ['AES_CBC_128', 'HMAC_SHA2_256_128', 'PRF_HMAC_SHA2_256', 'MODP_2048'],
    oursEsp: ['AES_CBC_128', 'HMAC_SHA2_256_128'],
    swanIke: { 'encr-alg': 'AES_CBC', 'encr-keysize': '128', 'integ-alg': 'HMAC_SHA2_256_128', 'prf-alg': 'PRF_HMAC_SHA2_256', 'dh-group': 'MODP_2048' },
    swanEsp: { 'encr-alg': 'AES_CBC', 'encr-keysize': '128', 'integ-alg': 'HMAC_SHA2_256_128' },
  },
  chacha: {
    ike: 'chacha20poly1305-prfsha256-curve25519',
    esp: 'chacha20poly1305-curve25519',
    oursIke: ['CHACHA20_POLY1305', 'PRF_HMAC_SHA2_256', 'CURVE25519'],
    oursEsp: ['CHACHA20_POLY1305'],
    swanIke: { 'encr-alg': 'CHACHA20_POLY1305', 'prf-alg': 'PRF_HMAC_SHA2_256', 'dh-group': 'CURVE_25519' },
    swanEsp: { 'encr-alg': 'CHACHA20_POLY1305' },
  },
};

/** A proposal string's transforms, without the ESN one (compared on its own). */
function transforms(proposal: string): string[] {
  return proposal.split('/').filter((t) => !/^(NO_)?(ESN|EXT_SEQ)$/.test(t) && t !== '').sort();
}

function usesEsn(proposal: string): boolean {
  return proposal.split('/').some((t) => t === 'ESN' || t === 'EXT_SEQ');
}

function pick(fields: Record<string, string>, keys: string[]): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((k) => [k, fields[k]]));
}

const hex = (spi: string | undefined, digits: number) => (spi ?? '').toLowerCase().padStart(digits, '0');

export interface Agreement {
  ours: StatusIkeSa;
  theirs: SwanIkeSa;
}

/**
 * Every difference between the two views of one IKE SA and its CHILD SA,
 * as readable lines (empty when they agree with each other and the suite).
 */
export function disagreements(ours: StatusIkeSa | undefined, theirs: SwanIkeSa | undefined, suite: SuiteExpectation, weInitiated: boolean): string[] {
  if (!ours) return ['nodeswan has no IKE SA for the conn'];
  if (!theirs) return ['strongSwan has no IKE SA for the conn'];
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${what}: nodeswan ${JSON.stringify(a)}, strongSwan ${JSON.stringify(b)}`);
  };
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(wanted)) out.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  expect('nodeswan IKE SA state', ours.state, 'ESTABLISHED');
  expect('strongSwan IKE SA state', theirs.fields.state, 'ESTABLISHED');
  expect('nodeswan initiator', ours.initiator, weInitiated);
  expect('strongSwan initiator', theirs.fields.initiator === 'yes', !weInitiated);
  same('IKE SPIi', hex(ours.spiI, 16), hex(theirs.fields['initiator-spi'], 16));
  same('IKE SPIr', hex(ours.spiR, 16), hex(theirs.fields['responder-spi'], 16));
  same('our ID / their remote ID', ours.localId, theirs.fields['remote-id']);
  same('our remote ID / their ID', ours.remoteId, theirs.fields['local-id']);
  expect('nodeswan IKE algorithms', transforms(ours.proposal), [...suite.oursIke].sort());
  expect('strongSwan IKE algorithms', pick(theirs.fields, ['encr-alg', 'encr-keysize', 'integ-alg', 'prf-alg', 'dh-group']), pick(suite.swanIke, ['encr-alg', 'encr-keysize', 'integ-alg', 'prf-alg', 'dh-group']));

  const child = ours.children[0];
  const swanChild = theirs.children[0];
  if (ours.children.length !== 1 || theirs.children.length !== 1 || !child || !swanChild) {
    out.push(`CHILD SAs: nodeswan has ${ours.children.length}, strongSwan ${theirs.children.length}, expected 1 each`);
    return out;
  }
  expect('nodeswan CHILD SA state', child.state, 'INSTALLED');
  expect('strongSwan CHILD SA state', swanChild.fields.state, 'INSTALLED');
  same('CHILD SA mode', child.mode.toUpperCase(), swanChild.fields.mode);
  same('our inbound SPI / their outbound', hex(child.spiIn, 8), hex(swanChild.fields['spi-out'], 8));
  same('our outbound SPI / their inbound', hex(child.spiOut, 8), hex(swanChild.fields['spi-in'], 8));
  same('our local TS / their remote TS', child.localTs, swanChild.remoteTs);
  same('our remote TS / their local TS', child.remoteTs, swanChild.localTs);
  expect('nodeswan ESP algorithms', transforms(child.proposal), [...suite.oursEsp].sort());
  same('extended sequence numbers', usesEsn(child.proposal), swanChild.fields.esn === '1');
  expect('strongSwan ESP algorithms', pick(swanChild.fields, ['encr-alg', 'encr-keysize', 'integ-alg']), pick(suite.swanEsp, ['encr-alg', 'encr-keysize', 'integ-alg']));
  return out;
}
