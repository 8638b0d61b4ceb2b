// `ipsec pki --verify --in CERT (--cacert F|DIR ... | --ipsecd DIR) [--chain F ...] [--crl F ...] [--at DATE] [--json]`:
// would a peer with these CA certificates and CRLs trust this certificate?
// A PEM bundle given to --in is read as the certificate followed by its
// intermediates, as IKE peers send them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type CertificateParts, readCertificate } from '../certificate-parts.js';
import { type Crl, readCrl } from '../crl.js';
import { formatDn } from '../dn.js';
import { PkiError } from '../errors.js';
import { isPem, pemBlocks } from '../pem.js';
import { parseDate } from '../validity.js';
import { verifyChain } from '../verify-chain.js';
import { type PkiIo, readInput } from './io.js';
import { type OptionTable, type ParsedOptions, all, one, required } from './options.js';

export const VERIFY_OPTIONS: OptionTable = {
  in: { value: true },
  cacert: { value: true, repeat: true },
  chain: { value: true, repeat: true },
  crl: { value: true, repeat: true },
  ipsecd: { value: true },
  ipsecdir: { value: true, aliasOf: 'ipsecd' },
  at: { value: true },
  json: {},
};

const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];

function certificatesIn(path: string): CertificateParts[] {
  const data = readInput(path, 'certificate file');
  if (!isPem(data)) return [readCertificate(data, path)];
  return pemBlocks(data.toString('latin1'), CERT_LABELS).map((b, i) => readCertificate(b.der, `${path} (certificate ${i + 1})`));
}

/** Every file of a folder, or the file itself; a missing ipsec.d folder is simply empty. */
function filesOf(path: string, optional: boolean): string[] {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return optional ? [] : [path]; // readInput reports a missing file named on the command line
  }
  return isDir ? readdirSync(path).sort().map((n) => join(path, n)).filter((p) => statSync(p).isFile()) : [path];
}

export async function runVerify(o: ParsedOptions, io: PkiIo): Promise<number> {
  const inPath = required(o, 'in', '--verify', 'FILE (the certificate to check)');
  const at = one(o, 'at') === undefined ? io.now() : parseDate(one(o, 'at')!, '--at');
  const ipsecd = one(o, 'ipsecd');
  const cacertPaths = [...all(o, 'cacert').flatMap((p) => filesOf(p, false)), ...(ipsecd ? filesOf(join(ipsecd, 'cacerts'), true) : [])];
  const crlPaths = [...all(o, 'crl').flatMap((p) => filesOf(p, false)), ...(ipsecd ? filesOf(join(ipsecd, 'crls'), true) : [])];
  if (all(o, 'cacert').length === 0 && ipsecd === undefined) throw new PkiError('PKI_BAD_OPTION', '--verify needs trust anchors: --cacert FILE|DIR or --ipsecd DIR');

  const skipped: string[] = [];
  const [leaf, ...sent] = certificatesIn(inPath);
  if (!leaf) throw new PkiError('PKI_BAD_CERT', `${inPath} holds no certificate`);
  const anchors: CertificateParts[] = [];
  for (const path of cacertPaths) {
    try {
      anchors.push(...certificatesIn(path));
    } catch (err) {
      if (all(o, 'cacert').includes(path)) throw err;
      skipped.push(`skipped ${path}: ${(err as Error).message}`);
    }
  }
  const intermediates = [...sent, ...all(o, 'chain').flatMap(certificatesIn)];
  const crls: Crl[] = [];
  for (const path of crlPaths) {
    try {
      crls.push(readCrl(readInput(path, 'CRL'), path));
    } catch (err) {
      if (all(o, 'crl').includes(path)) throw err;
      skipped.push(`skipped ${path}: ${(err as Error).message}`);
    }
  }

  const result = verifyChain({ cert: leaf, anchors, intermediates, crls, at });
  if (o.switches.has('json')) {
    io.stdout(
      `${JSON.stringify(
        { trusted: result.trusted, path: result.path.map((c) => formatDn(c.subject)), problem: result.problem, warnings: [...skipped, ...result.warnings], steps: result.steps },
        null,
        2,
      )}\n`,
    );
  } else {
    const lines = [...result.steps.map((s) => `  ${s}`), ...[...skipped, ...result.warnings].map((w) => `  warning: ${w}`)];
    lines.push(result.trusted ? 'certificate trusted' : `certificate untrusted: ${result.problem}`);
    io.stdout(`${lines.join('\n')}\n`);
  }
  return result.trusted ? 0 : 1;
}
