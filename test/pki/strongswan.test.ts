// strongSwan's own tool (`pki` from the strongswan-pki package) reading what
// nodeswan makes: chains of every key type must be trusted, a CRL must
// revoke, key files must load, and DN strings must encode to the same DER.
// Needs `apt-get install strongswan-pki`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chain, createCa, createChain, describeKey, issueCertificate, makeCrl, parseDn, readCertificate } from '../../src/pki/index.js';
import { KEY_CASES } from './helpers/key-types.js';
import { TempDir, strongswanPki } from './helpers/tools.js';

let dir: TempDir;
beforeAll(() => {
  dir = new TempDir();
});
afterAll(() => dir.remove());

describe.each(KEY_CASES)('strongSwan pki and a $label chain', ({ label, spec }) => {
  let chain: Chain;
  const tag = label.replace(/\W+/g, '-');
  beforeAll(async () => {
    chain = await createChain({ ...spec, dn: 'C=CH, O=Example, CN=vpn.example.com', san: ['192.0.2.1', 'vpn.example.com', 'user@example.com'] });
  });

  it('trusts root -> intermediate -> host with valid lifetimes', () => {
    const r = strongswanPki([
      '--verify', '--in', dir.file(`${tag}-leaf.pem`, chain.leaf.cert),
      '--cacert', dir.file(`${tag}-root.pem`, chain.root.cert), '--cacert', dir.file(`${tag}-inter.pem`, chain.intermediate.cert),
    ]);
    expect(r.stdout + r.stderr).toContain('using trusted intermediate ca certificate "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA"');
    expect(r.stdout + r.stderr).toContain('reached self-signed root ca with a path length of 1');
    expect(r.stdout + r.stderr).toContain('certificate trusted, lifetimes valid');
    expect(r.status).toBe(0);
  });

  it('does not trust the host without the intermediate', () => {
    const r = strongswanPki(['--verify', '--in', dir.file(`${tag}-leaf2.pem`, chain.leaf.cert), '--cacert', dir.file(`${tag}-root2.pem`, chain.root.cert)]);
    expect(r.stdout + r.stderr).toContain('certificate untrusted');
    expect(r.status).not.toBe(0);
  });

  it('prints the SANs, the serverAuth flag and the key of the host certificate', () => {
    const r = strongswanPki(['--print', '--in', dir.file(`${tag}-leaf3.pem`, chain.leaf.cert)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('subject:  "C=CH, O=Example, CN=vpn.example.com"');
    expect(r.stdout).toContain('altNames:  192.0.2.1, vpn.example.com, user@example.com');
    expect(r.stdout).toMatch(/flags: +serverAuth/);
    const pubkey = { 'RSA 2048': 'RSA 2048 bits', 'ECDSA P-256': 'ECDSA 256 bits', 'ECDSA P-384': 'ECDSA 384 bits', Ed25519: 'ED25519 256 bits' }[label];
    expect(r.stdout).toContain(`pubkey:    ${pubkey}`);
  });

  it('loads the private key file and derives the same key identifiers', () => {
    const r = strongswanPki(['--keyid', '--type', 'priv', '--in', dir.file(`${tag}-key.pem`, chain.leaf.key)]);
    expect(r.status).toBe(0);
    const d = describeKey(chain.leaf.privateKey);
    expect(r.stdout).toContain(`subjkey (SHA-1 of subjectPublicKey):\n             ${d.publicKeySha1}`);
    expect(r.stdout).toContain(`keyid (SHA-1 of subjectPublicKeyInfo):\n             ${d.spkiSha1}`);
  });

  it('sees a certificate revoked by our CRL', async () => {
    const host = await issueCertificate({ ...spec, issuer: chain.root, dn: 'C=CH, O=Example, CN=revoked.example.com' });
    const crl = makeCrl({ issuer: chain.root, revoked: [{ cert: host.cert, reason: 'keyCompromise' }] });
    const r = strongswanPki([
      '--verify', '--in', dir.file(`${tag}-revoked.pem`, host.cert), '--cacert', dir.file(`${tag}-root4.pem`, chain.root.cert),
      '--crl', dir.file(`${tag}.crl`, crl.der),
    ]);
    expect(r.stdout + r.stderr).toContain('crl correctly signed by "C=CH, O=nodeswan test, CN=nodeswan Root CA"');
    expect(r.stdout + r.stderr).toMatch(/certificate was revoked on .*, reason: key compromise/);
    expect(r.stdout + r.stderr).toContain('certificate untrusted');
  });
});

describe('strongSwan pki and DN strings', () => {
  it.each([
    'C=CH, O=Example, CN=vpn.example.com',
    'C=CH, O=Example AG, OU=Net, CN=Zürich Gateway',
    'C=CH, O=Example, CN=moon.strongswan.org, E=admin@example.com',
    '/C=CH/O=Example/CN=slash form',
  ])('%s encodes to the same DER as strongSwan', async (dn) => {
    const key = await createCa({ type: 'ed25519', dn: 'CN=unused' });
    const keyFile = dir.file('dn-key.pem', key.key);
    const r = strongswanPki(['--self', '--in', keyFile, '--type', 'priv', '--dn', dn, '--outform', 'pem']);
    expect(r.status).toBe(0);
    expect(readCertificate(r.stdout).subject.toString('hex')).toBe(parseDn(dn).der.toString('hex'));
  });
});
