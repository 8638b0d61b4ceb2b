// strongSwan's charon authenticating with certificates from src/pki in a
// real IKEv2 exchange: two charons in two network namespaces joined by a
// veth pair (192.0.2.1 <-> 192.0.2.2), one connection per key type, with
// DN and FQDN identities, a three-certificate chain, and a CRL that must
// make the responder refuse a revoked certificate. Only IKE_SA_INIT and
// IKE_AUTH matter here: the CHILD SA may fail to install on a kernel
// without ESP, after authentication is done. Needs root, iproute2, charon
// and swanctl (apt: strongswan-charon strongswan-swanctl).
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Credential, createCa, createChain, issueCertificate, makeCrl } from '../../src/pki/index.js';
import { Charon, type SwanSection, type SwanctlFiles, defaultPlugins } from '../lab/strongswan.js';
import { KEY_CASES } from './helpers/key-types.js';

const LEFT_NS = `nsw-pki-l-${process.pid}`;
const RIGHT_NS = `nsw-pki-r-${process.pid}`;

interface Case {
  name: string;
  leftId: string;
  rightId: string;
  /** The certificate the responder must refuse, if any. */
  revoked?: boolean;
}

const cases: Case[] = [];
const left: { conns: SwanSection; files: SwanctlFiles } = { conns: {}, files: {} };
const right: { conns: SwanSection; files: SwanctlFiles } = { conns: {}, files: {} };
let leftCharon: Charon;
let rightCharon: Charon;

function connection(name: string, local: string, remote: string, localId: string, remoteId: string, cert: string): SwanSection {
  return {
    version: 2,
    local_addrs: local,
    remote_addrs: remote,
    proposals: 'aes256gcm16-prfsha384-ecp384',
    mobike: 'no',
    local: { auth: 'pubkey', certs: cert, id: localId },
    remote: { auth: 'pubkey', id: remoteId, revocation: 'relaxed' },
    children: { [name]: { esp_proposals: 'aes128gcm16', mode: 'transport' } },
  };
}

function keyFolder(cred: Credential): string {
  return cred.keyInfo.type === 'rsa' ? 'rsa' : cred.keyInfo.type === 'ecdsa' ? 'ecdsa' : 'pkcs8';
}

/** Adds a connection between two certificates of one CA (or chain) to both charons' configs. */
function addCase(c: Case, l: Credential, r: Credential, caFiles: Record<string, string>, extra: { leftFiles?: SwanctlFiles; rightFiles?: SwanctlFiles } = {}) {
  cases.push(c);
  left.conns[c.name] = connection(c.name, '192.0.2.1', '192.0.2.2', c.leftId, c.rightId, `${c.name}.pem`);
  right.conns[c.name] = connection(c.name, '192.0.2.2', '192.0.2.1', c.rightId, c.leftId, `${c.name}.pem`);
  Object.assign(left.files, { [`x509/${c.name}.pem`]: l.cert, [`${keyFolder(l)}/${c.name}.pem`]: l.key }, caFiles, extra.leftFiles);
  Object.assign(right.files, { [`x509/${c.name}.pem`]: r.cert, [`${keyFolder(r)}/${c.name}.pem`]: r.key }, caFiles, extra.rightFiles);
}

beforeAll(async () => {
  for (const { label, spec } of KEY_CASES) {
    const tag = label.replace(/\W+/g, '').toLowerCase();
    const ca = await createCa({ ...spec, dn: `C=CH, O=nodeswan test, CN=${label} CA` });
    const l = await issueCertificate({ ...spec, issuer: ca, dn: `C=CH, O=nodeswan test, CN=left ${label}`, san: [`left-${tag}.example.com`, '192.0.2.1'] });
    const r = await issueCertificate({ ...spec, issuer: ca, dn: `C=CH, O=nodeswan test, CN=right ${label}`, san: [`right-${tag}.example.com`, '192.0.2.2'] });
    // DN identities for one connection, FQDN identities (matched against the SANs) for the other.
    addCase({ name: `${tag}-dn`, leftId: `C=CH, O=nodeswan test, CN=left ${label}`, rightId: `C=CH, O=nodeswan test, CN=right ${label}` }, l, r, { [`x509ca/${tag}.pem`]: ca.cert });
    addCase({ name: `${tag}-fqdn`, leftId: `left-${tag}.example.com`, rightId: `right-${tag}.example.com` }, l, r, { [`x509ca/${tag}.pem`]: ca.cert });
  }

  // root -> intermediate -> leaf on both sides; only the root is a trust anchor.
  const chain = await createChain({ type: 'rsa', size: 2048, dn: 'C=CH, O=nodeswan test, CN=left chain', san: ['left-chain.example.com'] });
  const rightLeaf = await issueCertificate({ type: 'rsa', size: 2048, issuer: chain.intermediate, dn: 'C=CH, O=nodeswan test, CN=right chain', san: ['right-chain.example.com'] });
  // The responder knows only the root: it must get the intermediate in the initiator's CERT payloads.
  addCase({ name: 'chain', leftId: 'left-chain.example.com', rightId: 'right-chain.example.com' }, chain.leaf, rightLeaf, { 'x509ca/chain-root.pem': chain.root.cert }, {
    leftFiles: { 'x509ca/chain-intermediate.pem': chain.intermediate.cert },
  });

  // The responder holds a CRL revoking the initiator's certificate.
  const rca = await createCa({ type: 'ecdsa', dn: 'C=CH, O=nodeswan test, CN=Revoking CA' });
  const rl = await issueCertificate({ type: 'ecdsa', issuer: rca, dn: 'C=CH, O=nodeswan test, CN=left revoked', san: ['left-revoked.example.com'] });
  const rr = await issueCertificate({ type: 'ecdsa', issuer: rca, dn: 'C=CH, O=nodeswan test, CN=right revoked', san: ['right-revoked.example.com'] });
  const crl = makeCrl({ issuer: rca, revoked: [{ cert: rl.cert, reason: 'keyCompromise' }] });
  addCase({ name: 'revoked', leftId: 'left-revoked.example.com', rightId: 'right-revoked.example.com', revoked: true }, rl, rr, { 'x509ca/revoking.pem': rca.cert }, {
    rightFiles: { 'x509crl/revoking.crl': crl.pem },
  });

  execFileSync('ip', ['netns', 'add', LEFT_NS]);
  execFileSync('ip', ['netns', 'add', RIGHT_NS]);
  const batch = [
    `link add nswpki-l netns ${LEFT_NS} type veth peer name nswpki-r netns ${RIGHT_NS}`,
    `-n ${LEFT_NS} addr add 192.0.2.1/24 dev nswpki-l`,
    `-n ${RIGHT_NS} addr add 192.0.2.2/24 dev nswpki-r`,
    `-n ${LEFT_NS} link set lo up`,
    `-n ${RIGHT_NS} link set lo up`,
    `-n ${LEFT_NS} link set nswpki-l up`,
    `-n ${RIGHT_NS} link set nswpki-r up`,
  ];
  for (const line of batch) execFileSync('ip', line.split(' '));
  const plugins = [...defaultPlugins, 'revocation'];
  [leftCharon, rightCharon] = await Promise.all([
    Charon.start(LEFT_NS, { name: 'pki-left', plugins, logLevels: { cfg: 2, ike: 2 } }),
    Charon.start(RIGHT_NS, { name: 'pki-right', plugins, logLevels: { cfg: 2, ike: 2 } }),
  ]);
  await leftCharon.load({ connections: left.conns }, left.files);
  await rightCharon.load({ connections: right.conns }, right.files);
}, 120_000);

afterAll(async () => {
  await Promise.all([leftCharon?.stop(), rightCharon?.stop()]);
  for (const ns of [LEFT_NS, RIGHT_NS]) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'pipe' });
    } catch {
      // not created
    }
  }
});

describe('charon <-> charon with nodeswan certificates', () => {
  it.each(['rsa2048', 'ecdsap256', 'ecdsap384', 'ed25519'].flatMap((t) => [`${t}-dn`, `${t}-fqdn`]).concat(['chain']))(
    '%s: both sides authenticate and the IKE SA is established',
    async (name) => {
      const c = cases.find((x) => x.name === name)!;
      await leftCharon.swanctl(['--initiate', '--child', name, '--timeout', '20'], true);
      const [sa] = (await rightCharon.listSas()).filter((s) => s.name === name);
      const leftLog = leftCharon.fileLog();
      const rightLog = rightCharon.fileLog();
      expect(sa?.fields.state, `${rightLog}`).toBe('ESTABLISHED');
      expect(sa?.fields['remote-id']).toBe(c.leftId);
      const quoted = (id: string) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(rightLog).toMatch(new RegExp(`authentication of '${quoted(c.leftId)}' with \\S+ successful`));
      expect(leftLog).toMatch(new RegExp(`authentication of '${quoted(c.rightId)}' with \\S+ successful`));
      if (name === 'chain') expect(rightLog).toContain('received issuer cert "C=CH, O=nodeswan test, CN=nodeswan Intermediate CA"');
      await leftCharon.terminateIke(name);
    },
    60_000,
  );

  it('the responder refuses the certificate our CRL revokes', async () => {
    const result = await leftCharon.swanctl(['--initiate', '--child', 'revoked', '--timeout', '20'], true);
    expect(result.exitCode).not.toBe(0);
    const rightLog = rightCharon.fileLog();
    expect(rightLog).toContain('certificate was revoked');
    expect(rightLog).toMatch(/crl correctly signed by "C=CH, O=nodeswan test, CN=Revoking CA"/);
    expect((await rightCharon.listSas()).filter((s) => s.name === 'revoked' && s.fields.state === 'ESTABLISHED')).toEqual([]);
  }, 60_000);
});
