// `ipsec pki --gen-crl`: a CRL signed by the CA, revoking certificates
// named by file (--revoke) or serial (--revoke-serial), optionally on top of
// the previous CRL (--lastcrl).
import { resolve } from 'node:path';
import { makeCrl } from '../crl.js';
import { REVOCATION_REASONS, type RevocationReason } from '../extensions.js';
import { loadPrivateKey } from '../keys.js';
import { fileStem, ipsecdPath, writeOutputs } from '../output-files.js';
import { readCertificate } from '../certificate-parts.js';
import { formatDn } from '../dn.js';
import { DIGESTS, RSA_PADDINGS } from '../signature.js';
import { isoSeconds } from '../validity.js';
import { type PkiIo, readInput } from './io.js';
import { type OptionTable, type ParsedOptions, all, integer, one, oneOf, required, usageError } from './options.js';

export const GEN_CRL_OPTIONS: OptionTable = {
  cacert: { value: true },
  cakey: { value: true },
  revoke: { value: true, repeat: true },
  'revoke-serial': { value: true, repeat: true },
  reason: { value: true },
  lastcrl: { value: true },
  lifetime: { value: true },
  number: { value: true },
  digest: { value: true },
  'rsa-padding': { value: true },
  out: { value: true },
  outform: { value: true },
  ipsecd: { value: true },
  ipsecdir: { value: true, aliasOf: 'ipsecd' },
  name: { value: true },
  force: {},
};

export async function runGenCrl(o: ParsedOptions, io: PkiIo): Promise<number> {
  const caCertPath = required(o, 'cacert', '--gen-crl', 'FILE (the CA certificate)');
  const caKeyPath = required(o, 'cakey', '--gen-crl', 'FILE (the CA private key)');
  const caCert = readInput(caCertPath, 'CA certificate');
  const reason = oneOf(o, 'reason', Object.keys(REVOCATION_REASONS) as RevocationReason[]);
  const revoked = [
    ...all(o, 'revoke').map((path) => ({ cert: readInput(path, 'certificate to revoke'), reason })),
    ...all(o, 'revoke-serial').map((serial) => ({ serial, reason })),
  ];
  if (reason !== undefined && revoked.length === 0) throw usageError('--reason applies to --revoke/--revoke-serial entries, and none was given');
  const numberText = one(o, 'number');
  if (numberText !== undefined && !/^\d+$/.test(numberText)) throw usageError(`--number '${numberText}' is not a whole number`);
  const lastCrl = one(o, 'lastcrl');
  const crl = makeCrl({
    issuer: { cert: caCert, key: loadPrivateKey(readInput(caKeyPath, 'CA private key'), caKeyPath) },
    revoked,
    base: lastCrl === undefined ? undefined : readInput(lastCrl, 'last CRL'),
    lifetimeDays: integer(o, 'lifetime', 1, 3650),
    number: numberText === undefined ? undefined : BigInt(numberText),
    digest: oneOf(o, 'digest', DIGESTS),
    rsaPadding: oneOf(o, 'rsa-padding', RSA_PADDINGS),
  });
  const form = oneOf(o, 'outform', ['pem', 'der'] as const) ?? 'pem';
  const data = form === 'der' ? crl.der : Buffer.from(crl.pem);
  const ipsecd = one(o, 'ipsecd');
  const out = one(o, 'out');
  const stem = one(o, 'name') ?? fileStem(formatDn(readCertificate(caCert).subject));
  const path = ipsecd !== undefined ? ipsecdPath(ipsecd, 'crl', out ?? `${stem}.crl`) : out === undefined ? undefined : resolve(out);
  if (path === undefined) io.stdout(data);
  else writeOutputs([{ path, data, secret: false }], o.switches.has('force'));
  io.stderr(
    `${path ? `wrote CRL ${path}` : 'CRL on stdout'}: "${crl.issuer}", number ${crl.number}, ${crl.revoked.length} revoked, next update ${crl.nextUpdate ? isoSeconds(crl.nextUpdate) : 'none'}`,
  );
  return 0;
}
