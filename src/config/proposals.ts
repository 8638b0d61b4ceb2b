// Proposal strings of ike=, esp=, ah= and phase2alg= in both grammars,
// mapped to IANA transform IDs (src/wire/iana/transforms.ts):
//   strongSwan: aes256gcm16-prfsha384-ecp384!, aes128-sha256-modp3072,aes256-sha1-modp1024,
//               aes256-aes128-sha256-sha1-modp2048-modp4096 (several algorithms per type)
//   Libreswan:  aes256-sha2;modp2048, aes_gcm256-null, aes-sha1;dh19, aes+aes256-sha2
// Proposals are separated by ',', transforms by '-' (';' before a Libreswan
// key exchange, '+' between Libreswan alternatives); a final '!' makes the
// list strict (no defaults appended by the peer-facing logic).
import { ENCR, ESN, INTEG, KE, PRF } from '../wire/iana/transforms.js';
import { nearest } from './suggest.js';

export interface EncrTransform {
  id: number;
  /** Key length in bits for ciphers with variable key size (RFC 7296 §3.3.5). */
  keyLength?: number;
}

/**
 * One proposal: every list holds the transforms offered for that type, in
 * order of preference. IKE proposals have encr, prf, integ (empty with AEAD
 * ciphers) and ke; ESP proposals have encr, integ (empty with AEAD), ke
 * (empty = no PFS) and esn; AH proposals have integ, ke and esn.
 */
export interface Proposal {
  encr: EncrTransform[];
  prf: number[];
  integ: number[];
  ke: number[];
  esn: number[];
}

export interface ProposalSet {
  protocol: 'ike' | 'esp' | 'ah';
  proposals: Proposal[];
  /** true when the string ended in '!': only these proposals are acceptable. */
  strict: boolean;
}

export interface ProposalProblem {
  /** Character offset within the value. */
  offset: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

type TokenMeaning =
  | { kind: 'encr'; id: number; keyLength?: number; aead: boolean; weak?: string }
  | { kind: 'hash'; integ?: number; prf?: number; weak?: string; prfWeak?: string }
  | { kind: 'prf'; id: number; weak?: string }
  | { kind: 'ke'; id: number; weak?: string }
  | { kind: 'esn'; id: number }
  | { kind: 'null' }
  | { kind: 'none' };

const KEYLEN = ['128', '192', '256'];
const ICV: Record<string, number> = { '8': 8, '64': 8, a: 8, '12': 12, '96': 12, b: 12, '16': 16, '128': 16, c: 16 };
const GCM: Record<number, number> = { 8: ENCR.AES_GCM_8, 12: ENCR.AES_GCM_12, 16: ENCR.AES_GCM_16 };
const CCM: Record<number, number> = { 8: ENCR.AES_CCM_8, 12: ENCR.AES_CCM_12, 16: ENCR.AES_CCM_16 };
const CAMELLIA_CCM: Record<number, number> = { 8: ENCR.CAMELLIA_CCM_8, 12: ENCR.CAMELLIA_CCM_12, 16: ENCR.CAMELLIA_CCM_16 };

const WEAK_GROUP = 'a key exchange group of less than 2048 bits is breakable; use curve25519, ecp256 or modp2048 or stronger';

const FIXED: Record<string, TokenMeaning> = {
  '3des': { kind: 'encr', id: ENCR['3DES'], aead: false, weak: '3DES has a 64-bit block and is deprecated (RFC 8247); use aes' },
  '3des_cbc': { kind: 'encr', id: ENCR['3DES'], aead: false, weak: '3DES has a 64-bit block and is deprecated (RFC 8247); use aes' },
  des: { kind: 'encr', id: ENCR.DES, aead: false, weak: 'DES is broken; use aes' },
  blowfish: { kind: 'encr', id: ENCR.BLOWFISH, keyLength: 128, aead: false, weak: 'Blowfish has a 64-bit block; use aes' },
  cast128: { kind: 'encr', id: ENCR.CAST, keyLength: 128, aead: false, weak: 'CAST has a 64-bit block; use aes' },
  cast: { kind: 'encr', id: ENCR.CAST, keyLength: 128, aead: false, weak: 'CAST has a 64-bit block; use aes' },
  chacha20poly1305: { kind: 'encr', id: ENCR.CHACHA20_POLY1305, aead: true },
  chacha20_poly1305: { kind: 'encr', id: ENCR.CHACHA20_POLY1305, aead: true },
  md5: { kind: 'hash', integ: INTEG.HMAC_MD5_96, prf: PRF.HMAC_MD5, weak: 'MD5 integrity is deprecated; use sha256', prfWeak: 'MD5 is deprecated as PRF; use prfsha256' },
  md5_128: { kind: 'hash', integ: INTEG.HMAC_MD5_128, weak: 'MD5 integrity is deprecated; use sha256' },
  sha1: { kind: 'hash', integ: INTEG.HMAC_SHA1_96, prf: PRF.HMAC_SHA1, weak: 'SHA-1 integrity is deprecated; use sha256 or stronger' },
  sha: { kind: 'hash', integ: INTEG.HMAC_SHA1_96, prf: PRF.HMAC_SHA1, weak: 'SHA-1 integrity is deprecated; use sha256 or stronger' },
  sha1_160: { kind: 'hash', integ: INTEG.HMAC_SHA1_160, weak: 'SHA-1 integrity is deprecated; use sha256 or stronger' },
  sha2: { kind: 'hash', integ: INTEG.HMAC_SHA2_256_128, prf: PRF.HMAC_SHA2_256 },
  sha256: { kind: 'hash', integ: INTEG.HMAC_SHA2_256_128, prf: PRF.HMAC_SHA2_256 },
  sha2_256: { kind: 'hash', integ: INTEG.HMAC_SHA2_256_128, prf: PRF.HMAC_SHA2_256 },
  sha384: { kind: 'hash', integ: INTEG.HMAC_SHA2_384_192, prf: PRF.HMAC_SHA2_384 },
  sha2_384: { kind: 'hash', integ: INTEG.HMAC_SHA2_384_192, prf: PRF.HMAC_SHA2_384 },
  sha512: { kind: 'hash', integ: INTEG.HMAC_SHA2_512_256, prf: PRF.HMAC_SHA2_512 },
  sha2_512: { kind: 'hash', integ: INTEG.HMAC_SHA2_512_256, prf: PRF.HMAC_SHA2_512 },
  aesxcbc: { kind: 'hash', integ: INTEG.AES_XCBC_96, prf: PRF.AES128_XCBC },
  aes_xcbc: { kind: 'hash', integ: INTEG.AES_XCBC_96, prf: PRF.AES128_XCBC },
  aescmac: { kind: 'hash', integ: INTEG.AES_CMAC_96, prf: PRF.AES128_CMAC },
  aes_cmac: { kind: 'hash', integ: INTEG.AES_CMAC_96, prf: PRF.AES128_CMAC },
  prfmd5: { kind: 'prf', id: PRF.HMAC_MD5, weak: 'MD5 is deprecated as PRF; use prfsha256' },
  prfsha1: { kind: 'prf', id: PRF.HMAC_SHA1 },
  prfsha256: { kind: 'prf', id: PRF.HMAC_SHA2_256 },
  prfsha2_256: { kind: 'prf', id: PRF.HMAC_SHA2_256 },
  prfsha384: { kind: 'prf', id: PRF.HMAC_SHA2_384 },
  prfsha2_384: { kind: 'prf', id: PRF.HMAC_SHA2_384 },
  prfsha512: { kind: 'prf', id: PRF.HMAC_SHA2_512 },
  prfsha2_512: { kind: 'prf', id: PRF.HMAC_SHA2_512 },
  prfaesxcbc: { kind: 'prf', id: PRF.AES128_XCBC },
  prfaescmac: { kind: 'prf', id: PRF.AES128_CMAC },
  modp768: { kind: 'ke', id: KE.MODP_768, weak: WEAK_GROUP },
  modp1024: { kind: 'ke', id: KE.MODP_1024, weak: WEAK_GROUP },
  modp1536: { kind: 'ke', id: KE.MODP_1536, weak: WEAK_GROUP },
  modp2048: { kind: 'ke', id: KE.MODP_2048 },
  modp3072: { kind: 'ke', id: KE.MODP_3072 },
  modp4096: { kind: 'ke', id: KE.MODP_4096 },
  modp6144: { kind: 'ke', id: KE.MODP_6144 },
  modp8192: { kind: 'ke', id: KE.MODP_8192 },
  modp1024s160: { kind: 'ke', id: KE.MODP_1024_160, weak: WEAK_GROUP },
  modp2048s224: { kind: 'ke', id: KE.MODP_2048_224 },
  modp2048s256: { kind: 'ke', id: KE.MODP_2048_256 },
  ecp192: { kind: 'ke', id: KE.ECP_192, weak: 'ecp192 is below 128-bit security; use ecp256 or curve25519' },
  ecp224: { kind: 'ke', id: KE.ECP_224 },
  ecp256: { kind: 'ke', id: KE.ECP_256 },
  ecp384: { kind: 'ke', id: KE.ECP_384 },
  ecp521: { kind: 'ke', id: KE.ECP_521 },
  ecp224bp: { kind: 'ke', id: KE.BRAINPOOL_P224R1 },
  ecp256bp: { kind: 'ke', id: KE.BRAINPOOL_P256R1 },
  ecp384bp: { kind: 'ke', id: KE.BRAINPOOL_P384R1 },
  ecp512bp: { kind: 'ke', id: KE.BRAINPOOL_P512R1 },
  curve25519: { kind: 'ke', id: KE.CURVE25519 },
  x25519: { kind: 'ke', id: KE.CURVE25519 },
  curve448: { kind: 'ke', id: KE.CURVE448 },
  x448: { kind: 'ke', id: KE.CURVE448 },
  esn: { kind: 'esn', id: ESN.ESN },
  noesn: { kind: 'esn', id: ESN.NO_ESN },
  null: { kind: 'null' },
  none: { kind: 'none' },
};

// Libreswan names key exchange groups by number: dh14, dh19, dh31, ...
for (const [name, id] of Object.entries(KE)) {
  if (id === 0) continue;
  const m = Object.entries(FIXED).find(([, v]) => v.kind === 'ke' && v.id === id);
  FIXED[`dh${id}`] = m ? m[1] : { kind: 'ke', id };
  void name;
}

function cipher(token: string): TokenMeaning | undefined {
  let m = /^aes(128|192|256)?(?:_?cbc)?(?:_?(128|192|256))?$/.exec(token);
  if (m) return { kind: 'encr', id: ENCR.AES_CBC, keyLength: Number(m[1] ?? m[2] ?? 128), aead: false };
  m = /^aes(128|192|256)?_?ctr(?:_?(128|192|256))?$/.exec(token);
  if (m) return { kind: 'encr', id: ENCR.AES_CTR, keyLength: Number(m[1] ?? m[2] ?? 128), aead: false };
  // strongSwan: aes256gcm16 (key length, then ICV in bytes or bits)
  m = /^aes(128|192|256)(gcm|ccm)(8|12|16|64|96|128)?$/.exec(token);
  // Libreswan: aes_gcm, aes_gcm256, aes_gcm_c, aes_gcm16_256, aes_ccm_a_128
  const l = m ? undefined : /^aes_?(gcm|ccm)(?:_?(a|b|c|8|12|16))?(?:_?(128|192|256))?$/.exec(token);
  if (m || l) {
    const mode = m ? m[2] : l?.[1];
    const icv = ICV[(m ? m[3] : l?.[2]) ?? '16'] ?? 16;
    const keyLength = Number((m ? m[1] : l?.[3]) ?? 128);
    const id = (mode === 'gcm' ? GCM : CCM)[icv];
    if (id !== undefined) return { kind: 'encr', id, keyLength, aead: true };
  }
  m = /^aes(128|192|256)?_?gmac(?:_?(128|192|256))?$/.exec(token);
  if (m) return { kind: 'encr', id: ENCR.NULL_AUTH_AES_GMAC, keyLength: Number(m[1] ?? m[2] ?? 128), aead: true };
  m = /^camellia(128|192|256)?(?:_?cbc)?(?:_?(128|192|256))?$/.exec(token);
  if (m) return { kind: 'encr', id: ENCR.CAMELLIA_CBC, keyLength: Number(m[1] ?? m[2] ?? 128), aead: false };
  m = /^camellia(128|192|256)?_?ctr(?:_?(128|192|256))?$/.exec(token);
  if (m) return { kind: 'encr', id: ENCR.CAMELLIA_CTR, keyLength: Number(m[1] ?? m[2] ?? 128), aead: false };
  m = /^camellia(128|192|256)ccm(8|12|16|64|96|128)?$/.exec(token);
  if (m) {
    const id = CAMELLIA_CCM[ICV[m[2] ?? '16'] ?? 16];
    if (id !== undefined) return { kind: 'encr', id, keyLength: Number(m[1]), aead: true };
  }
  m = /^blowfish(128|192|256)$/.exec(token);
  if (m) return { kind: 'encr', id: ENCR.BLOWFISH, keyLength: Number(m[1]), aead: false, weak: 'Blowfish has a 64-bit block; use aes' };
  return undefined;
}

export function classifyToken(token: string): TokenMeaning | undefined {
  const t = token.toLowerCase();
  return FIXED[t] ?? cipher(t);
}

/** Names listed when an unknown token is reported. */
export const SUPPORTED_TOKENS: Record<string, string[]> = {
  encryption: ['aes128', 'aes192', 'aes256', 'aes128ctr', 'aes256ctr', 'aes128gcm16', 'aes256gcm16', 'aes128gcm8/12', 'aes128ccm16', 'aes_gcm256', 'chacha20poly1305', 'camellia128/192/256', '3des', 'null'],
  integrity: ['sha256', 'sha384', 'sha512', 'sha2_256', 'sha1', 'md5', 'aesxcbc', 'aescmac', 'none'],
  prf: ['prfsha256', 'prfsha384', 'prfsha512', 'prfsha1', 'prfaesxcbc', 'prfaescmac'],
  'key exchange': ['curve25519', 'curve448', 'ecp256', 'ecp384', 'ecp521', 'ecp256bp', 'modp2048', 'modp3072', 'modp4096', 'modp8192', 'dh14', 'dh19', 'dh31'],
  esn: ['esn', 'noesn'],
};

const ALL_NAMES = [
  ...Object.keys(FIXED),
  ...KEYLEN.flatMap((k) => [`aes${k}`, `aes${k}ctr`, `aes${k}gcm16`, `aes${k}gcm8`, `aes${k}gcm12`, `aes${k}ccm16`, `aes_gcm${k}`, `camellia${k}`, `aes${k}gmac`]),
  'aes',
  'aes_gcm',
  'aes_ctr',
  'aes_ccm',
];

function supportedList(): string {
  return Object.entries(SUPPORTED_TOKENS)
    .map(([k, v]) => `${k}: ${v.join(' ')}`)
    .join('; ');
}

function pushUnique<T>(list: T[], value: T, same: (a: T, b: T) => boolean = (a, b) => a === b): void {
  if (!list.some((x) => same(x, value))) list.push(value);
}

export interface ParsedProposals {
  set: ProposalSet | undefined;
  problems: ProposalProblem[];
}

const DEFAULT_PRF = [PRF.HMAC_SHA2_256, PRF.HMAC_SHA2_384, PRF.HMAC_SHA2_512];
const DEFAULT_INTEG = [INTEG.HMAC_SHA2_256_128, INTEG.HMAC_SHA2_384_192, INTEG.HMAC_SHA2_512_256];

/** Default key exchange methods added to an IKE proposal that names none (as Libreswan does). */
export const DEFAULT_IKE_KE = [KE.CURVE25519, KE.ECP_256, KE.ECP_384, KE.MODP_3072, KE.MODP_2048];

export function parseProposals(value: string, protocol: 'ike' | 'esp' | 'ah'): ParsedProposals {
  const problems: ProposalProblem[] = [];
  let text = value;
  let strict = false;
  const trimmed = text.trimEnd();
  if (trimmed.endsWith('!')) {
    strict = true;
    text = trimmed.slice(0, -1);
  }
  const proposals: Proposal[] = [];
  const warned = new Set<string>();
  let offset = 0;
  for (const raw of text.split(',')) {
    const start = offset + (raw.length - raw.trimStart().length);
    offset += raw.length + 1;
    const part = raw.trim();
    if (part === '') {
      problems.push({ offset: start, severity: 'error', code: 'proposal-empty', message: 'empty proposal (stray comma?)' });
      continue;
    }
    const p: Proposal = { encr: [], prf: [], integ: [], ke: [], esn: [] };
    const hashes: { integ?: number; prf?: number; at: number; token: string; weak?: string; prfWeak?: string }[] = [];
    let aead: boolean | undefined;
    let integNone = false;
    let ok = true;
    let tokenOffset = start;
    for (const tok of part.split(/([-;+])/)) {
      const at = tokenOffset;
      tokenOffset += tok.length;
      if (tok === '-' || tok === ';' || tok === '+') continue;
      if (tok === '') {
        problems.push({ offset: at, severity: 'error', code: 'proposal-empty-token', message: `empty algorithm in proposal '${part}'` });
        ok = false;
        continue;
      }
      const meaning = classifyToken(tok);
      if (!meaning) {
        const hint = nearest(tok, ALL_NAMES);
        problems.push({
          offset: at,
          severity: 'error',
          code: 'proposal-unknown-algorithm',
          message: `unknown algorithm '${tok}' in ${protocol}= proposal${hint ? ` (did you mean '${hint}'?)` : ''}; supported ${supportedList()}`,
        });
        ok = false;
        continue;
      }
      const weak = (msg: string | undefined): void => {
        if (msg && !warned.has(tok.toLowerCase())) {
          warned.add(tok.toLowerCase());
          problems.push({ offset: at, severity: 'warning', code: 'weak-algorithm', message: `weak algorithm '${tok}': ${msg}` });
        }
      };
      const wrong = (what: string): void => {
        problems.push({ offset: at, severity: 'error', code: 'proposal-misplaced-algorithm', message: `'${tok}' (${what}) cannot be used in an ${protocol}= proposal` });
        ok = false;
      };
      switch (meaning.kind) {
        case 'encr':
          if (protocol === 'ah') {
            wrong('encryption');
            break;
          }
          if (aead !== undefined && aead !== meaning.aead) {
            problems.push({ offset: at, severity: 'error', code: 'proposal-mixed-aead', message: `'${tok}' mixes AEAD and non-AEAD ciphers in one proposal; split them with ','` });
            ok = false;
            break;
          }
          aead = meaning.aead;
          weak(meaning.weak);
          pushUnique(p.encr, meaning.keyLength ? { id: meaning.id, keyLength: meaning.keyLength } : { id: meaning.id }, (a, b) => a.id === b.id && a.keyLength === b.keyLength);
          break;
        case 'null':
          if (protocol === 'ah' || p.encr.length > 0) integNone = true;
          else {
            aead = false;
            pushUnique(p.encr, { id: ENCR.NULL }, (a, b) => a.id === b.id);
          }
          break;
        case 'none':
          if (p.encr.length > 0 && p.integ.length === 0 && p.ke.length === 0) integNone = true;
          break; // Libreswan 'none' = no PFS group / no integrity
        case 'hash':
          hashes.push({ ...(meaning.integ !== undefined ? { integ: meaning.integ } : {}), ...(meaning.prf !== undefined ? { prf: meaning.prf } : {}), at, token: tok, ...(meaning.weak ? { weak: meaning.weak } : {}), ...(meaning.prfWeak ? { prfWeak: meaning.prfWeak } : {}) });
          break;
        case 'prf':
          if (protocol !== 'ike') {
            wrong('a PRF');
            break;
          }
          weak(meaning.weak);
          pushUnique(p.prf, meaning.id);
          break;
        case 'ke':
          weak(meaning.weak);
          pushUnique(p.ke, meaning.id);
          break;
        case 'esn':
          if (protocol === 'ike') {
            wrong('extended sequence numbers');
            break;
          }
          pushUnique(p.esn, meaning.id);
          break;
      }
    }
    // Hash names are integrity algorithms, except in AEAD IKE proposals where
    // they name the PRF; a non-AEAD IKE proposal without prf tokens derives its PRFs from them.
    for (const h of hashes) {
      const weak = (msg: string | undefined): void => {
        if (msg && !warned.has(h.token.toLowerCase())) {
          warned.add(h.token.toLowerCase());
          problems.push({ offset: h.at, severity: 'warning', code: 'weak-algorithm', message: `weak algorithm '${h.token}': ${msg}` });
        }
      };
      if (protocol === 'ike' && aead) {
        if (h.prf === undefined) {
          problems.push({ offset: h.at, severity: 'error', code: 'proposal-misplaced-algorithm', message: `'${h.token}' has no PRF form for an AEAD ike= proposal` });
          ok = false;
        } else {
          weak(h.prfWeak);
          pushUnique(p.prf, h.prf);
        }
        continue;
      }
      if (aead) {
        problems.push({ offset: h.at, severity: 'warning', code: 'proposal-integ-with-aead', message: `'${h.token}' is ignored: ${p.encr.length ? 'the AEAD cipher' : 'AEAD'} already protects integrity` });
        continue;
      }
      weak(h.weak);
      if (h.integ !== undefined) pushUnique(p.integ, h.integ);
    }
    if (protocol === 'ike' && !aead && p.prf.length === 0) {
      for (const h of hashes) if (h.prf !== undefined) pushUnique(p.prf, h.prf);
    }
    const at = start;
    if (ok) {
      if (protocol !== 'ah' && p.encr.length === 0) {
        problems.push({ offset: at, severity: 'error', code: 'proposal-no-encryption', message: `proposal '${part}' has no encryption algorithm` });
        ok = false;
      } else if (protocol === 'ike' && aead && p.prf.length === 0) {
        // Libreswan fills in PRFs, strongSwan wants one written: accept, say which.
        p.prf.push(...DEFAULT_PRF);
        problems.push({ offset: at, severity: 'warning', code: 'proposal-no-prf', message: `AEAD proposal '${part}' names no PRF; using prfsha256, prfsha384, prfsha512 (write e.g. '${part}-prfsha256' to choose)` });
      } else if (!aead && p.integ.length === 0 && !integNone && !p.encr.some((e) => e.id === ENCR.NULL_AUTH_AES_GMAC)) {
        // Libreswan's default integrity list, as it would fill it in.
        p.integ.push(...DEFAULT_INTEG);
        if (protocol === 'ike' && p.prf.length === 0) p.prf.push(...DEFAULT_PRF);
        problems.push({ offset: at, severity: 'warning', code: 'proposal-no-integrity', message: `proposal '${part}' names no integrity algorithm; using sha256, sha384, sha512 (add one, or use an AEAD cipher such as aes256gcm16)` });
      } else if (!aead && integNone && p.encr.some((e) => e.id !== ENCR.NULL)) {
        problems.push({ offset: at, severity: 'error', code: 'proposal-no-integrity', message: `proposal '${part}' disables integrity on a non-AEAD cipher; that leaves the traffic unauthenticated` });
        ok = false;
      }
    }
    if (protocol === 'ike' && p.ke.length === 0) p.ke.push(...DEFAULT_IKE_KE);
    if (protocol !== 'ike' && p.esn.length === 0) p.esn.push(ESN.NO_ESN);
    if (ok) proposals.push(p);
  }
  const hasError = problems.some((x) => x.severity === 'error');
  return { set: hasError || proposals.length === 0 ? undefined : { protocol, proposals, strict }, problems };
}

// ------------------------------------------------------------ defaults
// Used when ike= / esp= / ah= are absent: AEAD first, then AES-CBC with
// SHA-2; curve25519, NIST P-256/P-384 and 3072/2048-bit MODP. ESP carries
// no key exchange by default (no PFS on CHILD SA rekeys unless asked for),
// and no extended sequence numbers.
const AES_GCM = [
  { id: ENCR.AES_GCM_16, keyLength: 256 },
  { id: ENCR.AES_GCM_16, keyLength: 128 },
];
const AES_CBC = [
  { id: ENCR.AES_CBC, keyLength: 256 },
  { id: ENCR.AES_CBC, keyLength: 128 },
];

export function defaultProposals(protocol: 'ike' | 'esp' | 'ah'): ProposalSet {
  const esn = [ESN.NO_ESN];
  if (protocol === 'ike') {
    return {
      protocol,
      proposals: [
        { encr: [...AES_GCM, { id: ENCR.CHACHA20_POLY1305 }], prf: [PRF.HMAC_SHA2_384, PRF.HMAC_SHA2_256, PRF.HMAC_SHA2_512], integ: [], ke: [...DEFAULT_IKE_KE], esn: [] },
        { encr: [...AES_CBC], prf: [PRF.HMAC_SHA2_384, PRF.HMAC_SHA2_256, PRF.HMAC_SHA2_512], integ: [INTEG.HMAC_SHA2_384_192, INTEG.HMAC_SHA2_256_128, INTEG.HMAC_SHA2_512_256], ke: [...DEFAULT_IKE_KE], esn: [] },
      ],
      strict: false,
    };
  }
  if (protocol === 'esp') {
    return {
      protocol,
      proposals: [
        { encr: [...AES_GCM, { id: ENCR.CHACHA20_POLY1305 }], prf: [], integ: [], ke: [], esn },
        { encr: [...AES_CBC], prf: [], integ: [INTEG.HMAC_SHA2_256_128, INTEG.HMAC_SHA2_384_192, INTEG.HMAC_SHA2_512_256], ke: [], esn },
      ],
      strict: false,
    };
  }
  return { protocol, proposals: [{ encr: [], prf: [], integ: [INTEG.HMAC_SHA2_256_128, INTEG.HMAC_SHA2_384_192, INTEG.HMAC_SHA2_512_256], ke: [], esn }], strict: false };
}
