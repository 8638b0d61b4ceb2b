// Certificates and private keys for public-key authentication, loaded once
// per (re)load by the engine, never by a task: trust anchors from the CA
// folder, each conn's own certificate (leftcert) with the private key from
// ipsec.secrets that belongs to it, and pinned peer certificates
// (rightcert). Tasks only ask questions of the loaded store.

import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { SecretsModel } from '../config/secrets.js';
import { readCertificate, type CertificateParts } from '../pki/certificate-parts.js';
import { samePublicKey } from '../pki/keys.js';
import { dnFromDer, IdType, type Identity } from './identity.js';

export interface LocalCredential {
  cert: CertificateParts;
  key: KeyObject;
}

const KEY_TYPES = new Set(['RSA', 'ECDSA', 'ED25519', 'ED448', 'PKCS8']);
const MAX_CHAIN = 8;

export class CredentialStore {
  /** Problems found while loading, one line each (logged by the engine). */
  readonly problems: string[] = [];
  /** Weaknesses that do not stop loading (a key readable by others), logged as warnings. */
  readonly warnings: string[] = [];
  private readonly anchors: CertificateParts[] = [];
  private readonly certs = new Map<string, CertificateParts>();
  private readonly keys: KeyObject[] = [];

  /** `dir` is the ipsec.d folder (cacerts/, certs/, private/). */
  constructor(
    private readonly dir: string,
    secrets: SecretsModel,
    anchors: CertificateParts[] = [],
  ) {
    this.anchors.push(...anchors);
    this.loadAnchors();
    for (const entry of secrets.entries) {
      if (!KEY_TYPES.has(entry.type) || !entry.file) continue;
      const path = isAbsolute(entry.file) ? entry.file : join(dir, 'private', entry.file);
      try {
        this.checkKeyFileMode(path);
        const passphrase = entry.secret?.reveal();
        this.keys.push(createPrivateKey(passphrase ? { key: readFileSync(path), passphrase } : { key: readFileSync(path) }));
      } catch (err) {
        this.problems.push(`${entry.source.file}:${entry.source.line}: cannot read private key ${path}: ${(err as Error).message}`);
      }
    }
  }

  /**
   * A key file others can write is refused: whoever can replace it can
   * impersonate this host. One others can read is loaded with a warning.
   */
  private checkKeyFileMode(path: string): void {
    const mode = statSync(path).mode & 0o777;
    const octal = mode.toString(8).padStart(4, '0');
    if (mode & 0o022) throw new Error(`refused: the file is writable by group or others (mode ${octal}); restrict it with 'chmod 600 ${path}'`);
    if (mode & 0o004) this.warnings.push(`private key ${path} is readable by others (mode ${octal}); restrict it with 'chmod 600 ${path}'`);
  }

  /** Test/daemon helper: a store from in-memory material only. */
  static fromMaterial(anchors: Uint8Array[], keys: KeyObject[]): CredentialStore {
    const store = new CredentialStore('', { entries: [] }, anchors.map((a) => readCertificate(a, 'trust anchor')));
    store.keys.push(...keys);
    return store;
  }

  private loadAnchors(): void {
    if (!this.dir) return;
    const folder = join(this.dir, 'cacerts');
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return; // no CA folder: no trust anchors
    }
    for (const name of names.sort()) {
      try {
        this.anchors.push(readCertificate(readFileSync(join(folder, name)), `${folder}/${name}`));
      } catch (err) {
        this.problems.push(`${folder}/${name}: ${(err as Error).message}`);
      }
    }
  }

  /** A certificate named in the config (leftcert/rightcert): path or PEM/DER bytes. */
  certificate(ref: string | Uint8Array): CertificateParts | string {
    const key = typeof ref === 'string' ? ref : createHash('sha256').update(ref).digest('hex');
    const cached = this.certs.get(key);
    if (cached) return cached;
    try {
      const data = typeof ref === 'string' ? readFileSync(isAbsolute(ref) ? ref : join(this.dir, 'certs', ref)) : ref;
      const cert = readCertificate(data, typeof ref === 'string' ? ref : 'certificate');
      this.certs.set(key, cert);
      return cert;
    } catch (err) {
      return (err as Error).message;
    }
  }

  /** Our certificate and the private key that belongs to it. */
  local(ref: string | Uint8Array): LocalCredential | string {
    const cert = this.certificate(ref);
    if (typeof cert === 'string') return cert;
    const key = this.keys.find((k) => samePublicKey(k, cert.x509.publicKey));
    if (!key) return `no private key in ipsec.secrets belongs to certificate '${formatSubject(cert)}'`;
    return { cert, key };
  }

  /** SHA-1 of each trust anchor's SubjectPublicKeyInfo: the CERTREQ data (RFC 7296 §3.7). */
  certreqHashes(): Buffer {
    return Buffer.concat(this.anchors.map((a) => createHash('sha1').update(a.spki).digest()));
  }

  get hasAnchors(): boolean {
    return this.anchors.length > 0;
  }

  /**
   * The CA certificates between `cert` and a self-signed root, from the
   * loaded cacerts (issuer first, root excluded): sent after our own
   * certificate so a peer that only trusts the root can build the chain.
   */
  intermediatesOf(cert: X509Certificate): Buffer[] {
    const chain: Buffer[] = [];
    let current = cert;
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      const issuer = this.anchors.find((a) => !a.x509.raw.equals(current.raw) && current.checkIssued(a.x509) && current.verify(a.x509.publicKey));
      if (!issuer || issuer.x509.checkIssued(issuer.x509)) break;
      chain.push(issuer.x509.raw);
      current = issuer.x509;
    }
    return chain;
  }

  /**
   * Validates the peer's end-entity certificate (DER) against the trust
   * anchors, using intermediates it sent; `pinned` (rightcert) must match
   * exactly when given. Returns the parsed certificate or why it failed.
   */
  verifyPeer(endEntity: Uint8Array, intermediates: readonly Uint8Array[], now: Date, pinned?: CertificateParts): CertificateParts | string {
    const verified = this.verifyChain(endEntity, intermediates, now, pinned);
    return typeof verified === 'string' ? verified : verified.cert;
  }

  /**
   * verifyPeer, and the CA certificates the chain went through (issuer
   * first, trust anchor last; none for a pinned certificate), for rightca=.
   */
  verifyChain(endEntity: Uint8Array, intermediates: readonly Uint8Array[], now: Date, pinned?: CertificateParts): { cert: CertificateParts; issuers: X509Certificate[] } | string {
    let cert: CertificateParts;
    try {
      cert = readCertificate(endEntity, 'peer certificate');
    } catch (err) {
      return (err as Error).message;
    }
    if (pinned) return pinned.der.equals(cert.der) ? { cert, issuers: [] } : `peer certificate '${formatSubject(cert)}' is not the configured rightcert '${formatSubject(pinned)}'`;
    const pool: X509Certificate[] = [];
    for (const der of intermediates) {
      try {
        pool.push(new X509Certificate(der));
      } catch {
        // an unreadable intermediate simply does not help the chain
      }
    }
    let current = cert.x509;
    const issuers: X509Certificate[] = [];
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      const problem = validity(current, now);
      if (problem) return problem;
      const anchor = this.anchors.find((a) => a.x509.raw.equals(current.raw) || (current.checkIssued(a.x509) && current.verify(a.x509.publicKey)));
      if (anchor) {
        if (!anchor.x509.raw.equals(current.raw)) issuers.push(anchor.x509);
        return validity(anchor.x509, now) ?? { cert, issuers };
      }
      const next = pool.find((i) => i.ca && current.checkIssued(i) && current.verify(i.publicKey));
      if (!next) return `certificate '${subjectLine(current)}' is not issued by a trusted CA (issuer '${current.issuer.replace(/\n/g, ', ')}' is not in cacerts/)`;
      issuers.push(next);
      current = next;
    }
    return `certificate chain of '${formatSubject(cert)}' is longer than ${MAX_CHAIN}`;
  }
}

function validity(cert: X509Certificate, now: Date): string | undefined {
  if (now < new Date(cert.validFrom)) return `certificate '${subjectLine(cert)}' is not valid before ${cert.validFrom}`;
  if (now > new Date(cert.validTo)) return `certificate '${subjectLine(cert)}' expired on ${cert.validTo}`;
  return undefined;
}

function subjectLine(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ', ');
}

/** The subject DN of a CA certificate met on a chain, as nodeswan prints DNs. */
export function subjectOf(cert: X509Certificate): string {
  return formatSubject(readCertificate(cert.raw, 'CA certificate'));
}

export function formatSubject(cert: CertificateParts): string {
  const id = dnFromDer(cert.subject);
  return id.type === 'any' ? '' : id.value;
}

/** Does the certificate vouch for this identity (subject DN or subjectAltName)? */
export function certCoversId(cert: CertificateParts, id: Identity): boolean {
  if (id.type === 'any') return true;
  switch (id.type) {
    case IdType.DER_ASN1_DN:
      return formatSubject(cert).toLowerCase() === id.value.toLowerCase();
    case IdType.FQDN:
      return cert.x509.checkHost(id.value, { subject: 'never' }) !== undefined;
    case IdType.RFC822_ADDR:
      return cert.x509.checkEmail(id.value, { subject: 'never' }) !== undefined;
    case IdType.IPV4_ADDR:
    case IdType.IPV6_ADDR:
      return cert.x509.checkIP(id.value) !== undefined;
    default:
      return false;
  }
}
