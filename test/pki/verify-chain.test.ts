// verifyChain and `ipsec pki --verify`: what a peer with given CA
// certificates and CRLs would trust, and the one-line reason when not,
// cross-checked with openssl on the same files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chain, createCa, createChain, issueCertificate, makeCrl, verifyChain } from '../../src/pki/index.js';
import { readCertificate } from '../../src/pki/certificate-parts.js';
import { signCertificate } from '../../src/pki/certificate.js';
import { signatureAlgorithm } from '../../src/pki/signature.js';
import { parseDn } from '../../src/pki/dn.js';
import { spkiDer } from '../../src/pki/keys.js';
import { pkiInProcess } from './helpers/cli.js';
import { TempDir, run } from './helpers/tools.js';

let chain: Chain;
let dir: TempDir;
beforeAll(async () => {
  dir = new TempDir();
  chain = await createChain({ type: 'ecdsa', san: ['vpn.example.com'] });
});
afterAll(() => dir.remove());

describe('verifyChain', () => {
  it('trusts leaf -> intermediate -> anchor and lists the path', () => {
    const r = verifyChain({ cert: chain.leaf.cert, anchors: [chain.root.cert], intermediates: [chain.intermediate.cert] });
    expect(r.problem).toBeUndefined();
    expect(r.trusted).toBe(true);
    expect(r.steps.slice(0, 3)).toEqual([
      'using certificate "C=CH, O=nodeswan test, CN=vpn.example.com"',
      'using untrusted intermediate CA certificate "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA"',
      'using trusted root CA certificate "C=CH, O=nodeswan test, CN=nodeswan Root CA"',
    ]);
    expect(r.path).toHaveLength(3);
  });

  it('stops at a trusted intermediate', () => {
    const r = verifyChain({ cert: chain.leaf.cert, anchors: [chain.intermediate.cert] });
    expect(r.trusted).toBe(true);
    expect(r.steps[1]).toBe('using trusted intermediate CA certificate "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA"');
  });

  it('says which issuer is missing', () => {
    const r = verifyChain({ cert: chain.leaf.cert, anchors: [chain.root.cert] });
    expect(r.problem).toBe('no issuer certificate found for "C=CH, O=nodeswan test, CN=vpn.example.com": its issuer "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA" is not among the CA certificates');
  });

  it('tells a same-named impostor CA from a missing one', async () => {
    const impostor = await createCa({ type: 'ecdsa', dn: 'C=CH, O=nodeswan test, CN=nodeswan Intermediate CA' });
    const r = verifyChain({ cert: chain.leaf.cert, anchors: [impostor.cert] });
    expect(r.problem).toBe('the signature of "C=CH, O=nodeswan test, CN=vpn.example.com" does not verify with the key of any "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA" certificate given');
  });

  it('checks lifetimes at the given time', () => {
    const later = new Date(chain.leaf.x509.validTo);
    later.setUTCDate(later.getUTCDate() + 1);
    const r = verifyChain({ cert: chain.leaf.cert, anchors: [chain.root.cert], intermediates: [chain.intermediate.cert], at: later });
    expect(r.problem).toMatch(/^certificate "C=CH, O=nodeswan test, CN=vpn.example.com" expired on \d{4}-/);
  });

  it('enforces path length constraints', async () => {
    const sub = await issueCertificate({ type: 'ecdsa', issuer: chain.intermediate, ca: true, dn: 'CN=Too Deep' });
    const leaf = await issueCertificate({ type: 'ecdsa', issuer: sub, dn: 'CN=deep' });
    const r = verifyChain({ cert: leaf.cert, anchors: [chain.root.cert], intermediates: [chain.intermediate.cert, sub.cert] });
    expect(r.problem).toBe('"C=CH, O=nodeswan test, CN=nodeswan Intermediate CA" allows 0 intermediate CAs below it, the chain has 1');
  });

  it('refuses a certificate signed by an end-entity certificate', async () => {
    // Built by hand: issueCertificate itself refuses a non-CA issuer.
    const host = chain.leaf;
    const forged = signCertificate(
      {
        serial: Buffer.from([1]),
        issuer: readCertificate(host.cert).subject,
        subject: parseDn('CN=forged').der,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 86_400_000),
        spki: spkiDer(host.privateKey),
        extensions: [],
      },
      host.privateKey,
      signatureAlgorithm(host.privateKey),
    );
    const r = verifyChain({ cert: forged, anchors: [chain.root.cert], intermediates: [chain.intermediate.cert, host.cert] });
    expect(r.problem).toBe('"C=CH, O=nodeswan test, CN=vpn.example.com" signed a certificate but is not a CA (basicConstraints CA:TRUE missing)');
    const f = dir.file('forged.pem', `-----BEGIN CERTIFICATE-----\n${forged.toString('base64')}\n-----END CERTIFICATE-----\n`);
    const o = run('openssl', ['verify', '-CAfile', dir.file('r.pem', chain.root.cert), '-untrusted', dir.file('u.pem', chain.intermediate.cert + host.cert), f]);
    expect(o.status).not.toBe(0); // openssl agrees
  });

  it('refuses a revoked certificate and warns about a stale CRL', () => {
    const crl = makeCrl({ issuer: chain.intermediate, revoked: [{ cert: chain.leaf.cert, reason: 'keyCompromise', date: new Date(Date.now() - 3_600_000) }] });
    const r = verifyChain({ cert: chain.leaf.cert, anchors: [chain.root.cert], intermediates: [chain.intermediate.cert], crls: [crl] });
    expect(r.problem).toMatch(/^certificate "C=CH, O=nodeswan test, CN=vpn.example.com" was revoked on .* \(keyCompromise\) by the CRL of "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA"$/);
    const stale = makeCrl({ issuer: chain.intermediate, thisUpdate: new Date(Date.now() - 20 * 86_400_000), lifetimeDays: 1 });
    const s = verifyChain({ cert: chain.leaf.cert, anchors: [chain.root.cert], intermediates: [chain.intermediate.cert], crls: [stale] });
    expect(s.trusted).toBe(true);
    expect(s.warnings[0]).toMatch(/^the CRL of "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA" is stale since /);
  });

  it('ignores a CRL not signed by the issuer', async () => {
    const other = await createCa({ type: 'ecdsa', dn: 'C=CH, O=nodeswan test, CN=nodeswan Intermediate CA' });
    const fake = makeCrl({ issuer: other, revoked: [{ serial: chain.leaf.serial }] });
    const r = verifyChain({ cert: chain.leaf.cert, anchors: [chain.root.cert], intermediates: [chain.intermediate.cert], crls: [fake] });
    expect(r.trusted).toBe(true);
  });
});

describe('ipsec pki --verify', () => {
  it('trusts a bundle (leaf + intermediate) against an ipsec.d tree, and refuses it once the CRL revokes it', async () => {
    const d = dir.join('ipsec.d');
    const { installIpsecd } = await import('../../src/pki/index.js');
    installIpsecd(d, { cacerts: { 'root.pem': chain.root.cert } });
    const bundle = dir.file('bundle.pem', chain.leaf.cert + chain.intermediate.cert);
    const ok = await pkiInProcess(['--verify', '--in', bundle, '--ipsecd', d]);
    expect(ok.stdout).toContain('using untrusted intermediate CA certificate "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA"');
    expect(ok.stdout.endsWith('certificate trusted\n')).toBe(true);
    expect(ok.status).toBe(0);

    installIpsecd(d, { crls: { 'inter.crl': makeCrl({ issuer: chain.intermediate, revoked: [{ cert: chain.leaf.cert }] }).pem } });
    const bad = await pkiInProcess(['--verify', '--in', bundle, '--ipsecd', d, '--json']);
    expect(bad.status).toBe(1);
    const report = JSON.parse(bad.stdout) as { trusted: boolean; problem: string };
    expect(report.trusted).toBe(false);
    expect(report.problem).toContain('was revoked on');
  });

  it('needs trust anchors', async () => {
    const r = await pkiInProcess(['--verify', '--in', dir.file('leaf.pem', chain.leaf.cert)]);
    expect(r.stderr).toBe('ipsec pki: --verify needs trust anchors: --cacert FILE|DIR or --ipsecd DIR\n');
    expect(r.status).toBe(1);
  });
});
