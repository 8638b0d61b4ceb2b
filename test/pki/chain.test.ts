// Three-certificate chains (root -> intermediate -> host), as the IKE
// fragmentation test sends them, checked by node:crypto and by
// `openssl verify -untrusted`; path length constraints are enforced by
// openssl, so they must be written correctly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chain, createChain, describeCertificate, issueCertificate } from '../../src/pki/index.js';
import { KEY_CASES } from './helpers/key-types.js';
import { TempDir, run } from './helpers/tools.js';

describe.each(KEY_CASES)('$label chain root -> intermediate -> host', ({ spec }) => {
  let chain: Chain;
  let dir: TempDir;
  beforeAll(async () => {
    dir = new TempDir();
    chain = await createChain({ ...spec, san: ['192.0.2.1', 'vpn.example.com'] });
  });
  afterAll(() => dir.remove());

  it('links each certificate to its issuer', () => {
    const { root, intermediate, leaf } = chain;
    expect(intermediate.x509.ca).toBe(true);
    expect(intermediate.x509.checkIssued(root.x509)).toBe(true);
    expect(intermediate.x509.verify(root.x509.publicKey)).toBe(true);
    expect(leaf.x509.checkIssued(intermediate.x509)).toBe(true);
    expect(leaf.x509.checkIssued(root.x509)).toBe(false);
    expect(leaf.x509.verify(intermediate.x509.publicKey)).toBe(true);
    expect(describeCertificate(intermediate.cert).pathLen).toBe(0);
    expect(describeCertificate(root.cert).pathLen).toBe(1);
  });

  it('verifies with openssl only when the intermediate is supplied', () => {
    const rootFile = dir.file('root.pem', chain.root.cert);
    const interFile = dir.file('inter.pem', chain.intermediate.cert);
    const leafFile = dir.file('leaf.pem', chain.leaf.cert);
    const ok = run('openssl', ['verify', '-CAfile', rootFile, '-untrusted', interFile, '-purpose', 'sslserver', leafFile]);
    expect(ok.stdout + ok.stderr).toBe(`${leafFile}: OK\n`);
    const missing = run('openssl', ['verify', '-CAfile', rootFile, leafFile]);
    expect(missing.status).not.toBe(0);
    expect(missing.stdout + missing.stderr).toContain('unable to get local issuer certificate');
  });

  it('is refused by openssl when a CA below a path length 0 intermediate signs', async () => {
    const sub = await issueCertificate({ ...spec, issuer: chain.intermediate, ca: true, dn: 'C=CH, O=nodeswan test, CN=Too Deep CA' });
    const host = await issueCertificate({ ...spec, issuer: sub, dn: 'C=CH, O=nodeswan test, CN=deep.example.com' });
    const untrusted = dir.file('untrusted.pem', chain.intermediate.cert + sub.cert);
    const r = run('openssl', ['verify', '-CAfile', dir.file('root2.pem', chain.root.cert), '-untrusted', untrusted, dir.file('deep.pem', host.cert)]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('path length constraint exceeded');
  });
});
