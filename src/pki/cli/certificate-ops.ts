// `ipsec pki --gen-ca`, `--issue` and `--gen`: make a key (or take one with
// --in-key), sign the certificate, and write both where they belong.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { type Credential, EKU_FLAGS, type EkuFlag, createCa, issueCertificate } from '../issue.js';
import { CURVES, KEY_TYPES, type KeyType, RSA_SIZES, exportPrivateKey, generateKey, keyInfo, loadPrivateKey, spkiDer } from '../keys.js';
import { type OutputFile, fileStem, ipsecdPath, writeOutputs } from '../output-files.js';
import { DIGESTS } from '../signature.js';
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
  if (size !== undefined && type !== 'rsa') throw usageError('--size applies to --type rsa only');
  if (size !== undefined && !RSA_SIZES.includes(size)) throw usageError(`--size ${size} is not supported; use one of ${RSA_SIZES.join(', ')}`);
  if (curve !== undefined && type !== 'ecdsa') throw usageError('--curve applies to --type ecdsa only');
  return { type, size, curve };
}

function existingKey(o: ParsedOptions) {
  const path = one(o, 'in-key');
  if (path === undefined) return undefined;
  if (one(o, 'out-key') !== undefined) throw usageError('--in-key and --out-key do not go together: the key already exists');
  return loadPrivateKey(readInput(path, 'private key'), path);
}

/** Where the new private key goes; undefined with --in-key. */
function keyPath(o: ParsedOptions, stem: string, ext: string, operation: string): string | undefined {
  if (one(o, 'in-key') !== undefined) return undefined;
  const out = one(o, 'out-key');
  const ipsecd = one(o, 'ipsecd');
  if (ipsecd !== undefined) return ipsecdPath(ipsecd, 'key', out ?? `${stem}.${ext}`);
  if (out !== undefined) return resolve(out);
  throw usageError(`${operation} makes a private key: name it with --out-key FILE or --ipsecd DIR (keys are never written to stdout)`);
}

function certPath(o: ParsedOptions, stem: string, ext: string, isCa: boolean): string | undefined {
  const out = one(o, 'out-cert');
  const ipsecd = one(o, 'ipsecd');
  if (ipsecd !== undefined) return ipsecdPath(ipsecd, isCa ? 'cacert' : 'cert', out ?? `${stem}.${ext}`);
  return out === undefined ? undefined : resolve(out);
}

function certificateOptions(o: ParsedOptions, operation: string) {
  const flags = all(o, 'flag');
  for (const f of flags) if (!(f in EKU_FLAGS)) throw usageError(`--flag '${f}' is not known; use one of ${Object.keys(EKU_FLAGS).join(', ')}`);
  const digest = oneOf(o, 'digest', DIGESTS);
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
    serial: one(o, 'serial'),
    pathLen: integer(o, 'pathlen', 0, 255),
  };
}

async function finish(o: ParsedOptions, io: PkiIo, cred: Credential, isCa: boolean, operation: string): Promise<number> {
  const form = outform(o);
  const stem = one(o, 'name') ?? fileStem(cred.subject);
  const ext = form === 'der' ? 'der' : 'pem';
  const files: OutputFile[] = [];
  const kPath = keyPath(o, stem, ext, operation);
  if (kPath !== undefined) files.push({ path: kPath, data: exportPrivateKey(cred.privateKey, form), secret: true });
  const cPath = certPath(o, stem, ext, isCa);
  const certData = form === 'der' ? cred.certDer : Buffer.from(cred.cert);
  if (cPath !== undefined) files.push({ path: cPath, data: certData, secret: false });
  writeOutputs(files, o.switches.has('force'));
  if (cPath === undefined) io.stdout(certData);
  const what = isCa ? 'CA certificate' : 'certificate';
  io.stderr(
    `${cPath ? `wrote ${what} ${cPath}` : `${what} on stdout`}: "${cred.subject}", ${cred.keyInfo.label}, serial ${cred.serial}, valid until ${cred.x509.validTo}`,
  );
  if (kPath !== undefined) io.stderr(`wrote private key ${kPath} (mode 0600)`);
  return 0;
}

export async function runGenCa(o: ParsedOptions, io: PkiIo): Promise<number> {
  const spec = keySpec(o);
  const key = existingKey(o);
  const cred = await createCa({ ...certificateOptions(o, '--gen-ca'), ...spec, key });
  return finish(o, io, cred, true, '--gen-ca');
}

export async function runIssue(o: ParsedOptions, io: PkiIo): Promise<number> {
  const spec = keySpec(o);
  const caCertPath = required(o, 'cacert', '--issue', 'FILE (the signing CA certificate)');
  const caKeyPath = required(o, 'cakey', '--issue', 'FILE (the signing CA private key)');
  const issuer = { cert: readInput(caCertPath, 'CA certificate'), key: loadPrivateKey(readInput(caKeyPath, 'CA private key'), caKeyPath) };
  const key = existingKey(o);
  const isCa = o.switches.has('ca');
  const options = certificateOptions(o, '--issue');
  if (!isCa && options.pathLen !== undefined) throw usageError('--pathlen applies to CA certificates only (add --ca)');
  const cred = await issueCertificate({ ...options, ...spec, key, issuer, ca: isCa });
  return finish(o, io, cred, isCa, '--issue');
}

export async function runGenKey(o: ParsedOptions, io: PkiIo): Promise<number> {
  if (one(o, 'in-key') !== undefined) throw usageError('--gen makes a new key; --in-key does not apply');
  const spec = keySpec(o);
  const key = await generateKey({ type: spec.type ?? 'rsa', size: spec.size, curve: spec.curve });
  const form = outform(o);
  const stem = one(o, 'name') ?? `${keyInfo(key).type}-${createHash('sha1').update(spkiDer(key)).digest('hex').slice(0, 8)}`;
  const path = keyPath(o, stem, form === 'der' ? 'der' : 'pem', '--gen')!;
  writeOutputs([{ path, data: exportPrivateKey(key, form), secret: true }], o.switches.has('force'));
  io.stderr(`wrote private key ${path} (${keyInfo(key).label}, mode 0600)`);
  return 0;
}
