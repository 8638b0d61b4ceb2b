// Path validation of an end-entity certificate against trust anchors (RFC
// 5280 6, the parts IKE deployments rely on): each link's issuer name and
// signature, CA flag and keyCertSign on every issuer, path length
// constraints, validity at the given time, and revocation by any CRL of a
// certificate's issuer. Every CA certificate given as an anchor is trusted
// (the ipsec.d/cacerts/ model); intermediates only help build the path.
import { type CertificateParts, keyUsageBits, readCertificate } from './certificate-parts.js';
import { type Crl, verifyCrl } from './crl.js';
import { describeCertificate } from './describe.js';
import { formatDn } from './dn.js';
import { KEY_USAGE_BITS } from './extensions.js';
import { isoSeconds } from './validity.js';

export const MAX_PATH = 8;

export interface ChainInput {
  cert: string | Uint8Array | CertificateParts;
  anchors: (string | Uint8Array | CertificateParts)[];
  intermediates?: (string | Uint8Array | CertificateParts)[];
  crls?: Crl[];
  at?: Date;
}

export interface ChainResult {
  trusted: boolean;
  /** End entity first, trust anchor last (as far as it was built). */
  path: CertificateParts[];
  /** What was checked, one line each, in order. */
  steps: string[];
  /** Why it is not trusted (undefined when trusted). */
  problem?: string;
  /** Stale CRLs and other things worth knowing that do not break trust. */
  warnings: string[];
}

const parts = (c: string | Uint8Array | CertificateParts, what: string): CertificateParts =>
  typeof c === 'object' && 'x509' in c ? c : readCertificate(c, what);

export function verifyChain(input: ChainInput): ChainResult {
  const at = input.at ?? new Date();
  const anchors = input.anchors.map((a) => parts(a, 'CA certificate'));
  const pool = (input.intermediates ?? []).map((c) => parts(c, 'intermediate certificate'));
  const leaf = parts(input.cert, 'certificate');
  const path: CertificateParts[] = [leaf];
  const steps: string[] = [];
  const warnings: string[] = [];
  const fail = (problem: string): ChainResult => ({ trusted: false, path, steps, problem, warnings });
  const name = (c: CertificateParts) => `"${formatDn(c.subject)}"`;

  steps.push(`using certificate ${name(leaf)}`);
  let current = leaf;
  for (let depth = 0; ; depth++) {
    if (depth >= MAX_PATH) return fail(`the chain of ${name(leaf)} is longer than ${MAX_PATH} certificates`);
    const lifetime = lifetimeProblem(current, at);
    if (lifetime) return fail(lifetime);
    if (anchors.some((a) => a.der.equals(current.der))) break; // the end entity itself is trusted
    const issuedBy = (c: CertificateParts) => c.subject.equals(current.issuer) && current.x509.verify(c.x509.publicKey);
    const anchor = anchors.find(issuedBy);
    const issuer = anchor ?? pool.find(issuedBy);
    if (!issuer) {
      const sameName = [...anchors, ...pool].some((c) => c.subject.equals(current.issuer));
      return fail(
        sameName
          ? `the signature of ${name(current)} does not verify with the key of any "${formatDn(current.issuer)}" certificate given`
          : `no issuer certificate found for ${name(current)}: its issuer "${formatDn(current.issuer)}" is not among the CA certificates`,
      );
    }
    const caProblem = issuerProblem(issuer, path.length - 1);
    if (caProblem) return fail(caProblem);
    const revoked = revocation(current, issuer, input.crls ?? [], at, warnings);
    if (revoked) return fail(revoked);
    path.push(issuer);
    steps.push(`using ${anchor ? 'trusted' : 'untrusted'} ${issuer.subject.equals(issuer.issuer) ? 'root' : 'intermediate'} CA certificate ${name(issuer)}`);
    if (anchor) {
      const anchorLifetime = lifetimeProblem(anchor, at);
      if (anchorLifetime) return fail(anchorLifetime);
      break;
    }
    current = issuer;
  }
  steps.push(`certificate trusted, lifetimes valid at ${isoSeconds(at)}`);
  return { trusted: true, path, steps, warnings };
}

function lifetimeProblem(c: CertificateParts, at: Date): string | undefined {
  const name = `"${formatDn(c.subject)}"`;
  if (at < c.notBefore) return `certificate ${name} is not valid before ${isoSeconds(c.notBefore)}`;
  if (at > c.notAfter) return `certificate ${name} expired on ${isoSeconds(c.notAfter)}`;
  return undefined;
}

/** Can `issuer` sign a certificate that has `below` intermediate CAs under it? */
function issuerProblem(issuer: CertificateParts, below: number): string | undefined {
  const name = `"${formatDn(issuer.subject)}"`;
  if (!issuer.x509.ca) return `${name} signed a certificate but is not a CA (basicConstraints CA:TRUE missing)`;
  const usage = keyUsageBits(issuer);
  if (usage && !usage.includes(KEY_USAGE_BITS.keyCertSign)) return `${name} signed a certificate but its key usage lacks keyCertSign`;
  const pathLen = describeCertificate(issuer).pathLen;
  if (pathLen !== undefined && below > pathLen) return `${name} allows ${pathLen} intermediate CA${pathLen === 1 ? '' : 's'} below it, the chain has ${below}`;
  return undefined;
}

function revocation(c: CertificateParts, issuer: CertificateParts, crls: Crl[], at: Date, warnings: string[]): string | undefined {
  for (const crl of crls) {
    if (!crl.issuerDer.equals(issuer.subject) || !verifyCrl(crl, issuer.der)) continue;
    if (crl.nextUpdate && at > crl.nextUpdate) warnings.push(`the CRL of "${crl.issuer}" is stale since ${isoSeconds(crl.nextUpdate)}`);
    const entry = crl.revoked.find((e) => e.serial === c.serialHex);
    if (entry && entry.date <= at) {
      return `certificate "${formatDn(c.subject)}" was revoked on ${isoSeconds(entry.date)}${entry.reason ? ` (${entry.reason})` : ''} by the CRL of "${crl.issuer}"`;
    }
  }
  return undefined;
}
