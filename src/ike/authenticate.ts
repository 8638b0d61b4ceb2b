// Building our AUTH and checking the peer's (RFC 7296 §2.15, RFC 7427):
// pre-shared keys, or certificates with RFC 7427 "Digital Signature"
// (method 14) when the peer announced SIGNATURE_HASH_ALGORITHMS and the
// classic RSA/ECDSA methods otherwise. Pure: keys and certificates come
// from the CredentialStore loaded with the config.

import { pskAuth, verifyPskAuth } from '../crypto/auth/psk.js';
import { signAuth, verifyAuth } from '../crypto/auth/signature-auth.js';
import { signedOctets } from '../crypto/auth/signed-octets.js';
import { AuthMethod } from '../wire/iana/auth-methods.js';
import { PayloadType } from '../wire/iana/payload-types.js';
import type { AuthPayload } from '../wire/payloads/auth.js';
import type { CertPayload } from '../wire/payloads/cert.js';
import { encodeIdBody, type IdPayload } from '../wire/payloads/id.js';
import type { Payload } from '../wire/payload.js';
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { IkeConn } from './conn.js';
import { certCoversId, formatSubject, subjectOf, type CredentialStore, type LocalCredential } from './credentials.js';
import { explainNoSecret, explainPeerAuthInvalid, explainPskMismatch, type AuthFacts } from './explain.js';
import { dnFromDer, formatIdentity, identityData, parseIdentity, type Identity } from './identity.js';
import type { IkeSaData } from './ike-sa-data.js';
import type { Failure, TaskEnv } from './tasks/task.js';

const X509_SIGNATURE = 4; // Cert Encoding "X.509 Certificate - Signature" (RFC 7296 §3.6)

/** Our ID: leftid; else the certificate subject (pubkey) or our address. */
export function ourIdentity(conn: IkeConn, localAddress: string, cred?: LocalCredential): Identity {
  if (conn.localId.type !== 'any') {
    // A DN written in leftid goes on the wire as the certificate's own DER when they agree.
    if (cred && conn.localId.type === 9 && formatSubject(cred.cert).toLowerCase() === conn.localId.value.toLowerCase()) return dnFromDer(cred.cert.subject);
    return conn.localId;
  }
  return cred ? dnFromDer(cred.cert.subject) : parseIdentity(localAddress);
}

export function idPayload(type: typeof PayloadType.IDi | typeof PayloadType.IDr, id: Identity): IdPayload {
  const { type: idType, data } = identityData(id);
  return { type, critical: false, idType, data } as IdPayload;
}

function octets(sa: IkeSaData, signerIsInitiator: boolean, idBody: Uint8Array): Buffer {
  return signedOctets({
    prf: sa.prf!,
    realMessage: signerIsInitiator ? sa.initRequest! : sa.initResponse!,
    peerNonce: signerIsInitiator ? sa.nonceR! : sa.nonceI!,
    skP: signerIsInitiator ? sa.keys!.skPi : sa.keys!.skPr,
    idPayloadBody: idBody,
  });
}

/** Our local credential for a pubkey conn, or why there is none. */
export function localCredential(conn: IkeConn, env: TaskEnv): LocalCredential | Failure | undefined {
  if (conn.localAuth !== 'pubkey') return undefined;
  if (conn.localCert === undefined) return { code: 'NO_CERTIFICATE', message: `conn '${conn.name}' authenticates with a certificate but has no leftcert` };
  const cred = env.credentials().local(conn.localCert);
  return typeof cred === 'string' ? { code: 'NO_CERTIFICATE', message: `conn '${conn.name}': ${cred}` } : cred;
}

export function isFailure(x: unknown): x is Failure {
  return typeof x === 'object' && x !== null && 'code' in x && 'message' in x;
}

/** Classic method for a key when the peer does not speak RFC 7427. */
function classicMethod(key: KeyObject): number | undefined {
  if (key.asymmetricKeyType === 'rsa') return AuthMethod.RSA_DIGITAL_SIGNATURE;
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') return AuthMethod.ECDSA_SHA256_P256;
  if (curve === 'secp384r1') return AuthMethod.ECDSA_SHA384_P384;
  if (curve === 'secp521r1') return AuthMethod.ECDSA_SHA512_P521;
  return undefined;
}

/** Scheme for method 14 that the peer announced a hash for. */
function schemeFor(key: KeyObject, hashes: readonly number[]): string | undefined {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const candidates =
    type === 'ec'
      ? curve === 'secp384r1'
        ? [['ecdsa-sha384', 3]]
        : curve === 'secp521r1'
          ? [['ecdsa-sha512', 4]]
          : [['ecdsa-sha256', 2]]
      : type === 'ed25519'
        ? [['ed25519', 5]]
        : type === 'ed448'
          ? [['ed448', 5]]
          : [['rsa-pkcs1-sha256', 2], ['rsa-pkcs1-sha384', 3], ['rsa-pkcs1-sha512', 4]];
  return (candidates as [string, number][]).find(([, hash]) => hashes.includes(hash))?.[0];
}

export interface OurAuth {
  /** CERT payloads to send before AUTH (may be empty). */
  certs: CertPayload[];
  auth: AuthPayload;
}

/** Our AUTH payload over the signed octets of `idPayloadFor`. */
export function buildOurAuth(sa: IkeSaData, env: TaskEnv, conn: IkeConn, id: IdPayload, cred: LocalCredential | undefined, peerId: Identity): OurAuth | Failure {
  const data = octets(sa, sa.initiator, encodeIdBody(id));
  if (conn.localAuth === 'psk') {
    const psk = env.psk(sa.localId!, peerId);
    if (!psk) return { code: 'NO_SECRET', message: explainNoSecret(conn.name, formatIdentity(sa.localId!), formatIdentity(peerId)) };
    return { certs: [], auth: { type: PayloadType.AUTH, critical: false, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: pskAuth(sa.prf!, psk, data) } };
  }
  if (!cred) return { code: 'NO_CERTIFICATE', message: `conn '${conn.name}' has no certificate to authenticate with` };
  let method: number | undefined;
  let signature;
  if (sa.peerSignatureHashes) {
    const scheme = schemeFor(cred.key, sa.peerSignatureHashes);
    if (!scheme) return { code: 'AUTH_UNSUPPORTED', message: `peer ${sa.remote.address} announced no signature hash usable with our ${cred.key.asymmetricKeyType} key` };
    method = AuthMethod.DIGITAL_SIGNATURE;
    signature = signAuth({ method, privateKey: cred.key, signedOctets: data, scheme });
  } else {
    method = classicMethod(cred.key);
    if (method === undefined) return { code: 'AUTH_UNSUPPORTED', message: `peer ${sa.remote.address} does not support RFC 7427 signatures, needed for our ${cred.key.asymmetricKeyType} key` };
    signature = signAuth({ method, privateKey: cred.key, signedOctets: data });
  }
  if (!signature.ok) return { code: signature.error.code, message: `conn '${conn.name}': ${signature.error.message}` };
  const send = conn.sendCert === 'always' || (conn.sendCert !== 'never' && sa.peerCertReq);
  // Our certificate, then the intermediate CAs up to (not including) the root.
  const chain = send ? [cred.cert.der, ...env.credentials().intermediatesOf(cred.cert.x509)] : [];
  const certs: CertPayload[] = chain.map((data) => ({ type: PayloadType.CERT, critical: false, encoding: X509_SIGNATURE, data }));
  return { certs, auth: { type: PayloadType.AUTH, critical: false, method, data: signature.value } };
}

/** Checks the peer's AUTH (and certificate); returns a one-line failure or undefined. */
export function verifyPeerAuth(sa: IkeSaData, env: TaskEnv, conn: IkeConn, id: IdPayload, auth: AuthPayload, payloads: readonly Payload[], f: AuthFacts): Failure | undefined {
  const peerIsInitiator = !sa.initiator;
  const data = octets(sa, peerIsInitiator, encodeIdBody(id));
  const peerId = sa.peerId!;
  if (conn.remoteAuth === 'psk') {
    if (auth.method !== AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE) {
      return { code: 'AUTHENTICATION_FAILED', message: `AUTHENTICATION_FAILED: peer '${formatIdentity(peerId)}' used AUTH method ${auth.method}, conn '${conn.name}' expects a pre-shared key` };
    }
    const psk = env.psk(sa.localId!, peerId);
    if (!psk) return { code: 'NO_SECRET', message: explainNoSecret(conn.name, formatIdentity(sa.localId!), formatIdentity(peerId)) };
    if (verifyPskAuth(sa.prf!, psk, data, auth.data).ok) return undefined;
    return { code: 'AUTHENTICATION_FAILED', message: sa.initiator ? explainPeerAuthInvalid(f, 'PSK') : explainPskMismatch(f) };
  }
  if (auth.method === AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE) {
    return { code: 'AUTHENTICATION_FAILED', message: `AUTHENTICATION_FAILED: peer '${formatIdentity(peerId)}' used a pre-shared key, conn '${conn.name}' expects a certificate` };
  }
  const certs = payloads.filter((p): p is CertPayload => p.type === PayloadType.CERT && 'encoding' in p && p.encoding === X509_SIGNATURE);
  const store = env.credentials();
  let pinned;
  if (conn.remoteCert !== undefined) {
    const c = store.certificate(conn.remoteCert);
    if (typeof c === 'string') return { code: 'NO_CERTIFICATE', message: `conn '${conn.name}' rightcert: ${c}` };
    pinned = c;
  }
  const end = certs[0]?.data ?? pinned?.der;
  if (!end) return { code: 'AUTHENTICATION_FAILED', message: `AUTHENTICATION_FAILED: peer '${formatIdentity(peerId)}' sent no certificate and conn '${conn.name}' has no rightcert` };
  const chain = store.verifyChain(end, certs.slice(1).map((c) => c.data), env.now(), pinned);
  if (typeof chain === 'string') return { code: 'AUTHENTICATION_FAILED', message: `AUTHENTICATION_FAILED: peer '${formatIdentity(peerId)}' (${f.peerAddress}): ${chain}` };
  const cert = chain.cert;
  const caProblem = conn.remoteCa && !pinned ? checkRequiredCa(conn, store, env.now(), chain.issuers) : undefined;
  if (caProblem) return { code: 'AUTHENTICATION_FAILED', message: `AUTHENTICATION_FAILED: peer '${formatIdentity(peerId)}' certificate '${formatSubject(cert)}': ${caProblem}` };
  if (!certCoversId(cert, peerId)) {
    return { code: 'AUTHENTICATION_FAILED', message: `AUTHENTICATION_FAILED: peer ID '${formatIdentity(peerId)}' is not in its certificate '${formatSubject(cert)}' (subject or subjectAltName)` };
  }
  const verified = verifyAuth({ method: auth.method, publicKey: cert.x509.publicKey, signedOctets: data, authData: auth.data });
  if (!verified.ok) return { code: 'AUTHENTICATION_FAILED', message: `AUTHENTICATION_FAILED: signature of peer '${formatIdentity(peerId)}' for conn '${conn.name}': ${verified.error.message}` };
  return undefined;
}

/**
 * rightca=: some CA the peer's chain went through must be the required one
 * (by subject DN); %same: one of the CAs our own certificate chains to.
 * Returns why not, or undefined.
 */
function checkRequiredCa(conn: IkeConn, store: CredentialStore, now: Date, issuers: readonly X509Certificate[]): string | undefined {
  const names = issuers.map(subjectOf);
  let wanted: string[];
  if (conn.remoteCa === 'same') {
    if (conn.localCa) wanted = [formatIdentity(conn.localCa)];
    else {
      const own = conn.localCert !== undefined ? store.local(conn.localCert) : undefined;
      const ours = own && typeof own !== 'string' ? store.verifyChain(own.cert.der, [], now) : undefined;
      if (!ours || typeof ours === 'string') return `rightca=%same, but conn '${conn.name}' has no leftca and no own certificate chain to take the CA from`;
      wanted = ours.issuers.map(subjectOf);
    }
  } else if (conn.remoteCa) {
    wanted = [formatIdentity(conn.remoteCa)];
  } else return undefined;
  const lower = new Set(wanted.map((w) => w.toLowerCase()));
  if (names.some((n) => lower.has(n.toLowerCase()))) return undefined;
  return `its chain (${names.join(' <- ') || 'no CA'}) does not pass through rightca '${wanted.join("' or '")}' of conn '${conn.name}'`;
}
