// `ipsec pki --gen-ca`, `--issue` and `--gen`: make a key (or take one with
// --in-key), sign the certificate, and write both where they belong.
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { describeCertificate } from '../describe.js';
import { type Credential, EKU_FLAGS, type EkuFlag, createCa, issueCertificate } from '../issue.js';
import { CURVES, KEY_TYPES, type KeyType, RSA_SIZES, exportPrivateKey, generateKey, keyInfo, loadPrivateKey, spkiDer } from '../keys.js';
import { formatDn, parseDn } from '../dn.js';
import { type OutputFile, assertAbsent, fileStem, ipsecdPath, writeOutputs } from '../output-files.js';
import { DIGESTS, RSA_PADDINGS } from '../signature.js';
import { parseDate } from '../validity.js';
import { type PkiIo, readInput } from './io.js';
import { type OptionTable, type ParsedOptions, all, integer, one, oneOf, required, usageError } from './options.js';

const KEY_OPTIONS: OptionTable = {
  type: { value: true },
  size: { value: true },
  curve: { value: true },
  'in-key': { value: true },
  'out-key': { value: true },
  outform: { value: true },
  ipsecd: { value: true },
  ipsecdir: { value: true, aliasOf: 'ipsecd' },
  name: { value: true },
  force: {},
};

const CERT_OPTIONS: OptionTable = {
  ...KEY_OPTIONS,
  dn: { value: true },
  san: { value: true, repeat: true },
  flag: { value: true, repeat: true },
  crl: { value: true, repeat: true },
  lifetime: { value: true },
  'not-before': { value: true },
  'not-after': { value: true },
  digest: { value: true },
  'rsa-padding': { value: true },
  serial: { value: true },
  pathlen: { value: true },
  'out-cert': { value: true },
};

export const GEN_OPTIONS = KEY_OPTIONS;
export const GEN_CA_OPTIONS = CERT_OPTIONS;
export const ISSUE_OPTIONS: OptionTable = { ...CERT_OPTIONS, cacert: { value: true }, cakey: { value: true }, ca: {} };

const outform = (o: ParsedOptions) => oneOf(o, 'outform', ['pem', 'der'] as const) ?? 'pem';

function keySpec(o: ParsedOptions) {
  const type = oneOf<KeyType>(o, 'type', KEY_TYPES);
  const size = integer(o, 'size', 0, 16384);
  const curve = oneOf(o, 'curve', CURVES);
  if (size !== undefined && (type ?? 'rsa') !== 'rsa') throw usageError('--size applies to --type rsa only');
  if (size !== undefined && !RSA_SIZES.includes(size)) throw usageError(`--size ${size} is not supported; use one of ${RSA_SIZES.join(', ')}`);
  if (curve !== undefined && type !== 'ecdsa') throw usageError('--curve applies to --type ecdsa only (add --type ecdsa)');
  return { type, size, curve };
}

function existingKey(o: ParsedOptions) {
  const path = one(o, 'in-key');
  if (path === undefined) return undefined;
  if (one(o, 'out-key') !== undefined) throw usageError('--in-key and --out-key do not go together: the key already exists');
  return loadPrivateKey(readInput(path, 'private key'), path);
}

/** Where the new private key goes; undefined with --in-key. */
function keyDestination(o: ParsedOptions, stem: string, ext: string, operation: string): string | undefined {
  if (one(o, 'in-key') !== undefined) return undefined;
  const out = one(o, 'out-key');
  const ipsecd = one(o, 'ipsecd');
  if (ipsecd !== undefined) return ipsecdPath(ipsecd, 'key', out ?? `${stem}.${ext}`);
  if (out !== undefined) return resolve(out);
  throw usageError(`${operation} makes a private key: name it with --out-key FILE or --ipsecd DIR (keys are never written to stdout)`);
}

function certDestination(o: ParsedOptions, stem: string, ext: string, isCa: boolean): string | undefined {
  const out = one(o, 'out-cert');
  const ipsecd = one(o, 'ipsecd');
  if (ipsecd !== undefined) return ipsecdPath(ipsecd, isCa ? 'cacert' : 'cert', out ?? `${stem}.${ext}`);
  return out === undefined ? undefined : resolve(out);
}

function certificateOptions(o: ParsedOptions, operation: string) {
  const flags = all(o, 'flag');
  for (const f of flags) if (!(f in EKU_FLAGS)) throw usageError(`--flag '${f}' is not known; use one of ${Object.keys(EKU_FLAGS).join(', ')}`);
  const digest = oneOf(o, 'digest', DIGESTS);
  const rsaPadding = oneOf(o, 'rsa-padding', RSA_PADDINGS);
  const notBefore = one(o, 'not-before');
  const notAfter = one(o, 'not-after');
  return {
    dn: required(o, 'dn', operation, '"C=CH, O=Example, CN=vpn.example.com"'),
    san: all(o, 'san'),
    flags: flags as EkuFlag[],
    crlUris: all(o, 'crl'),
    lifetimeDays: integer(o, 'lifetime', 1, 36500),
    notBefore: notBefore === undefined ? undefined : parseDate(notBefore, '--not-before'),
    notAfter: notAfter === undefined ? undefined : parseDate(notAfter, '--not-after'),
    digest,
    rsaPadding,
    serial: one(o, 'serial'),
    pathLen: integer(o, 'pathlen', 0, 255),
  };
}

interface Destinations {
  form: 'pem' | 'der';
  keyPath: string | undefined;
  certPath: string | undefined;
}

/** Where the key and certificate go, settled (and checked for clobbering) before any key is generated. */
function destinations(o: ParsedOptions, dn: string, isCa: boolean, operation: string): Destinations {
  const form = outform(o);
  const stem = one(o, 'name') ?? fileStem(formatDn(parseDn(dn).der));
  const ext = form === 'der' ? 'der' : 'pem';
  const keyPath = keyDestination(o, stem, ext, operation);
  const certPath = certDestination(o, stem, ext, isCa);
  if (!o.switches.has('force')) {
    for (const p of [keyPath, certPath]) if (p !== undefined) assertAbsent(p);
  }
  return { form, keyPath, certPath };
}

function finish(o: ParsedOptions, io: PkiIo, cred: Credential, isCa: boolean, dest: Destinations): number {
  const files: OutputFile[] = [];
  if (dest.keyPath !== undefined) files.push({ path: dest.keyPath, data: exportPrivateKey(cred.privateKey, dest.form), secret: true });
  const certData = dest.form === 'der' ? cred.certDer : Buffer.from(cred.cert);
  if (dest.certPath !== undefined) files.push({ path: dest.certPath, data: certData, secret: false });
  writeOutputs(files, o.switches.has('force'));
  if (dest.certPath === undefined) io.stdout(certData);
  const what = isCa ? 'CA certificate' : 'certificate';
  io.stderr(
    `${dest.certPath ? `wrote ${what} ${dest.certPath}` : `${what} on stdout`}: "${cred.subject}", ${cred.keyInfo.label}, serial ${cred.serial}, valid until ${cred.x509.validTo}`,
  );
  if (dest.keyPath !== undefined) io.stderr(`wrote private key ${dest.keyPath} (mode 0600)`);
  if (!isCa && dest.certPath !== undefined && dest.keyPath !== undefined && one(o, 'ipsecd') !== undefined) io.stderr(configHint(cred, dest));
  return 0;
}

const SECRET_TYPES = { rsa: 'RSA', ecdsa: 'ECDSA', ed25519: 'ED25519' } as const;

/** The ipsec.conf / ipsec.secrets lines that use what was just written into ipsec.d. */
function configHint(cred: Credential, dest: Destinations): string {
  const firstSan = describeCertificate(cred.certDer).altNames[0];
  const id = !firstSan ? `"${cred.subject}"` : firstSan.startsWith('DNS:') ? `@${firstSan.slice(4)}` : firstSan.replace(/^(IP|email|URI):/, '');
  return `use: leftcert=${basename(dest.certPath!)} leftid=${id} (ipsec.conf), : ${SECRET_TYPES[cred.keyInfo.type]} ${basename(dest.keyPath!)} (ipsec.secrets)`;
}

export async function runGenCa(o: ParsedOptions, io: PkiIo): Promise<number> {
  const spec = keySpec(o);
  const options = certificateOptions(o, '--gen-ca');
  const dest = destinations(o, options.dn, true, '--gen-ca');
  const key = existingKey(o);
  const cred = await createCa({ ...options, ...spec, key });
  return finish(o, io, cred, true, dest);
}

export async function runIssue(o: ParsedOptions, io: PkiIo): Promise<number> {
  // Every option is checked before any file is read.
  const spec = keySpec(o);
  const isCa = o.switches.has('ca');
  const options = certificateOptions(o, '--issue');
  if (!isCa && options.pathLen !== undefined) throw usageError('--pathlen applies to CA certificates only (add --ca)');
  const caCertPath = required(o, 'cacert', '--issue', 'FILE (the signing CA certificate)');
  const caKeyPath = required(o, 'cakey', '--issue', 'FILE (the signing CA private key)');
  const issuer = { cert: readInput(caCertPath, 'CA certificate'), key: loadPrivateKey(readInput(caKeyPath, 'CA private key'), caKeyPath) };
  const dest = destinations(o, options.dn, isCa, '--issue');
  const key = existingKey(o);
  const cred = await issueCertificate({ ...options, ...spec, key, issuer, ca: isCa });
  return finish(o, io, cred, isCa, dest);
}

export async function runGenKey(o: ParsedOptions, io: PkiIo): Promise<number> {
  if (one(o, 'in-key') !== undefined) throw usageError('--gen makes a new key; --in-key does not apply');
  const spec = keySpec(o);
  const key = await generateKey({ type: spec.type ?? 'rsa', size: spec.size, curve: spec.curve });
  const form = outform(o);
  const stem = one(o, 'name') ?? `${keyInfo(key).type}-${createHash('sha1').update(spkiDer(key)).digest('hex').slice(0, 8)}`;
  const path = keyDestination(o, stem, form === 'der' ? 'der' : 'pem', '--gen')!;
  writeOutputs([{ path, data: exportPrivateKey(key, form), secret: true }], o.switches.has('force'));
  io.stderr(`wrote private key ${path} (${keyInfo(key).label}, mode 0600)`);
  return 0;
}
