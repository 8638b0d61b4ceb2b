// Proposal strings of both grammars mapped to IANA transform IDs.
import { describe, expect, it } from 'vitest';
import { defaultProposals, parseProposals } from '../../src/config/proposals.js';
import { ENCR, ESN, INTEG, KE, PRF } from '../../src/wire/iana/transforms.js';

const ok = (s: string, p: 'ike' | 'esp' | 'ah') => {
  const r = parseProposals(s, p);
  expect(r.problems.filter((x) => x.severity === 'error')).toEqual([]);
  return r.set!;
};

describe('strongSwan grammar', () => {
  it('aes256gcm16-prfsha384-ecp384! is one strict AEAD proposal', () => {
    expect(ok('aes256gcm16-prfsha384-ecp384!', 'ike')).toEqual({
      protocol: 'ike',
      strict: true,
      proposals: [{ encr: [{ id: ENCR.AES_GCM_16, keyLength: 256 }], prf: [PRF.HMAC_SHA2_384], integ: [], ke: [KE.ECP_384], esn: [] }],
    });
  });

  it('aes128-sha256-modp3072,aes256-sha1-modp1024 is two proposals, PRF derived from integrity', () => {
    const s = ok('aes128-sha256-modp3072,aes256-sha1-modp1024', 'ike');
    expect(s.proposals).toEqual([
      { encr: [{ id: ENCR.AES_CBC, keyLength: 128 }], prf: [PRF.HMAC_SHA2_256], integ: [INTEG.HMAC_SHA2_256_128], ke: [KE.MODP_3072], esn: [] },
      { encr: [{ id: ENCR.AES_CBC, keyLength: 256 }], prf: [PRF.HMAC_SHA1], integ: [INTEG.HMAC_SHA1_96], ke: [KE.MODP_1024], esn: [] },
    ]);
    expect(s.strict).toBe(false);
  });

  it('chacha20poly1305-prfsha256-curve25519', () => {
    expect(ok('chacha20poly1305-prfsha256-curve25519', 'ike').proposals[0]).toEqual({ encr: [{ id: ENCR.CHACHA20_POLY1305 }], prf: [PRF.HMAC_SHA2_256], integ: [], ke: [KE.CURVE25519], esn: [] });
  });

  it('several algorithms per type in one proposal', () => {
    expect(ok('aes256-aes128-sha256-sha1-modp2048-modp4096', 'ike').proposals[0]).toEqual({
      encr: [
        { id: ENCR.AES_CBC, keyLength: 256 },
        { id: ENCR.AES_CBC, keyLength: 128 },
      ],
      prf: [PRF.HMAC_SHA2_256, PRF.HMAC_SHA1],
      integ: [INTEG.HMAC_SHA2_256_128, INTEG.HMAC_SHA1_96],
      ke: [KE.MODP_2048, KE.MODP_4096],
      esn: [],
    });
  });

  it('ESP with PFS group and ESN', () => {
    expect(ok('aes128gcm16-ecp256-esn', 'esp').proposals[0]).toEqual({ encr: [{ id: ENCR.AES_GCM_16, keyLength: 128 }], prf: [], integ: [], ke: [KE.ECP_256], esn: [ESN.ESN] });
    expect(ok('null-sha256', 'esp').proposals[0]).toEqual({ encr: [{ id: ENCR.NULL }], prf: [], integ: [INTEG.HMAC_SHA2_256_128], ke: [], esn: [ESN.NO_ESN] });
  });

  it('AH integrity only', () => {
    expect(ok('sha256-sha512-modp2048', 'ah').proposals[0]).toEqual({ encr: [], prf: [], integ: [INTEG.HMAC_SHA2_256_128, INTEG.HMAC_SHA2_512_256], ke: [KE.MODP_2048], esn: [ESN.NO_ESN] });
  });
});

describe('Libreswan grammar', () => {
  it('aes256-sha2;modp2048', () => {
    expect(ok('aes256-sha2;modp2048', 'esp').proposals[0]).toEqual({ encr: [{ id: ENCR.AES_CBC, keyLength: 256 }], prf: [], integ: [INTEG.HMAC_SHA2_256_128], ke: [KE.MODP_2048], esn: [ESN.NO_ESN] });
  });

  it('aes_gcm256-null (AEAD, no integrity)', () => {
    expect(ok('aes_gcm256-null', 'esp').proposals[0]).toEqual({ encr: [{ id: ENCR.AES_GCM_16, keyLength: 256 }], prf: [], integ: [], ke: [], esn: [ESN.NO_ESN] });
  });

  it('aes-sha1;dh19 and the IKE form with a default group list when none is named', () => {
    expect(ok('aes-sha1;dh19', 'ike').proposals[0]).toEqual({ encr: [{ id: ENCR.AES_CBC, keyLength: 128 }], prf: [PRF.HMAC_SHA1], integ: [INTEG.HMAC_SHA1_96], ke: [KE.ECP_256], esn: [] });
    expect(ok('aes256-sha2_512', 'ike').proposals[0]?.ke).toEqual([KE.CURVE25519, KE.ECP_256, KE.ECP_384, KE.MODP_3072, KE.MODP_2048]);
  });

  it('aes+aes256-sha2+sha1 alternatives and aes_gcm_c / aes_ctr spellings', () => {
    expect(ok('aes+aes256-sha2+sha1', 'esp').proposals[0]?.encr).toEqual([
      { id: ENCR.AES_CBC, keyLength: 128 },
      { id: ENCR.AES_CBC, keyLength: 256 },
    ]);
    expect(ok('aes_gcm_c-null', 'esp').proposals[0]?.encr).toEqual([{ id: ENCR.AES_GCM_16, keyLength: 128 }]);
    expect(ok('aes_gcm_a256', 'esp').proposals[0]?.encr).toEqual([{ id: ENCR.AES_GCM_8, keyLength: 256 }]);
    expect(ok('aes_ctr256-sha2_256', 'esp').proposals[0]?.encr).toEqual([{ id: ENCR.AES_CTR, keyLength: 256 }]);
  });
});

describe('problems', () => {
  it('an unknown token names it, offers the nearest and lists what is supported, at its offset', () => {
    const r = parseProposals('aes128-sha256-modp2047', 'ike');
    expect(r.set).toBeUndefined();
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ offset: 14, severity: 'error', code: 'proposal-unknown-algorithm' });
    expect(r.problems[0]?.message).toContain("unknown algorithm 'modp2047'");
    expect(r.problems[0]?.message).toContain("did you mean 'modp2048'?");
    expect(r.problems[0]?.message).toContain('key exchange: curve25519');
  });

  it.each([
    ['modp768', 'aes128-sha256-modp768'],
    ['modp1024', 'aes128-sha256-modp1024'],
    ['modp1536', 'aes128-sha256-modp1536'],
    ['3des', '3des-sha256-modp2048'],
    ['des', 'des-sha256-modp2048'],
    ['md5', 'aes128-md5-modp2048'],
    ['sha1', 'aes128-sha1-modp2048'],
  ])('%s loads with a warning', (token, proposal) => {
    const r = parseProposals(proposal, 'ike');
    expect(r.set).toBeDefined();
    expect(r.problems.map((p) => [p.severity, p.message.split(':')[0]])).toEqual([['warning', `weak algorithm '${token}'`]]);
  });

  it('rejects structural mistakes', () => {
    expect(parseProposals('aes128-null', 'esp').problems[0]).toMatchObject({ code: 'proposal-no-integrity', severity: 'error' });
    expect(parseProposals('aes128-sha256,', 'esp').problems[0]).toMatchObject({ code: 'proposal-empty', offset: 14 });
    expect(parseProposals('aes128-prfsha256', 'esp').problems[0]?.code).toBe('proposal-misplaced-algorithm');
    expect(parseProposals('aes128-sha256', 'ah').problems[0]?.code).toBe('proposal-misplaced-algorithm');
    expect(parseProposals('aes128gcm16-aes128-sha256', 'esp').problems[0]?.code).toBe('proposal-mixed-aead');
  });
});

describe('incomplete proposals are completed with a warning', () => {
  it('no integrity: sha256, sha384, sha512 (and the matching PRFs in IKE)', () => {
    const esp = parseProposals('aes128', 'esp');
    expect(esp.problems.map((p) => [p.severity, p.code])).toEqual([['warning', 'proposal-no-integrity']]);
    expect(esp.set?.proposals[0]?.integ).toEqual([INTEG.HMAC_SHA2_256_128, INTEG.HMAC_SHA2_384_192, INTEG.HMAC_SHA2_512_256]);
    expect(parseProposals('aes256;modp2048', 'ike').set?.proposals[0]?.prf).toEqual([PRF.HMAC_SHA2_256, PRF.HMAC_SHA2_384, PRF.HMAC_SHA2_512]);
  });
  it('AEAD IKE without a PRF: prfsha256, prfsha384, prfsha512', () => {
    const r = parseProposals('aes256gcm16-ecp384', 'ike');
    expect(r.problems.map((p) => [p.severity, p.code])).toEqual([['warning', 'proposal-no-prf']]);
    expect(r.set?.proposals[0]?.prf).toEqual([PRF.HMAC_SHA2_256, PRF.HMAC_SHA2_384, PRF.HMAC_SHA2_512]);
  });
});

describe('defaults', () => {
  it('IKE: AES-GCM/ChaCha20 with SHA-2 PRFs, then AES-CBC with SHA-2; curve25519, ecp256, ecp384, modp3072, modp2048', () => {
    const d = defaultProposals('ike');
    expect(d.proposals[0]?.encr[0]).toEqual({ id: ENCR.AES_GCM_16, keyLength: 256 });
    expect(d.proposals[1]?.integ).toContain(INTEG.HMAC_SHA2_256_128);
    expect(d.proposals.every((p) => p.ke[0] === KE.CURVE25519)).toBe(true);
  });
  it('ESP: no key exchange and no ESN by default', () => {
    const d = defaultProposals('esp');
    expect(d.proposals.every((p) => p.ke.length === 0 && p.esn[0] === ESN.NO_ESN)).toBe(true);
  });
});
