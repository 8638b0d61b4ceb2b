// `ipsec pki --OPERATION [options]`: picks the operation, parses its
// options, runs it, and turns PkiErrors into one line on stderr and exit 1.
import { PkiError } from '../errors.js';
import { GEN_CA_OPTIONS, GEN_OPTIONS, ISSUE_OPTIONS, runGenCa, runGenKey, runIssue } from './certificate-ops.js';
import { GEN_CRL_OPTIONS, runGenCrl } from './crl-op.js';
import { type PkiIo, processIo } from './io.js';
import { type OptionTable, type ParsedOptions, parseOptions } from './options.js';
import { PRINT_OPTIONS, runPrint } from './print-op.js';
import { VERIFY_OPTIONS, runVerify } from './verify-op.js';

interface Operation {
  options: OptionTable;
  run(o: ParsedOptions, io: PkiIo): Promise<number>;
}

const OPERATIONS: Record<string, Operation> = {
  'gen-ca': { options: GEN_CA_OPTIONS, run: runGenCa },
  issue: { options: ISSUE_OPTIONS, run: runIssue },
  print: { options: PRINT_OPTIONS, run: runPrint },
  verify: { options: VERIFY_OPTIONS, run: runVerify },
  'gen-crl': { options: GEN_CRL_OPTIONS, run: runGenCrl },
  signcrl: { options: GEN_CRL_OPTIONS, run: runGenCrl },
  gen: { options: GEN_OPTIONS, run: runGenKey },
};

export const PKI_USAGE = `usage: ipsec pki --OPERATION [options]   (details: docs/pki.md)
  --gen-ca  --type rsa|ecdsa|ed25519 [--size 2048|3072|4096] [--curve p256|p384|p521]
            --dn "C=CH, O=Example, CN=Example Root CA" [--lifetime DAYS] [--pathlen N]
            (--out-key F --out-cert F | --ipsecd DIR [--name NAME]) [--in-key F]
  --issue   --cacert F --cakey F --type ... --dn "..." [--san IP|DNS|EMAIL ...]
            [--flag serverAuth|clientAuth|ikeIntermediate|ocspSigning ...] [--ca [--pathlen N]]
            [--crl URI ...] (--out-key F --out-cert F | --ipsecd DIR [--name NAME]) [--in-key F]
  --print   --in F [--in F ...] [--json]
  --verify  --in CERT (--cacert F|DIR ... | --ipsecd DIR) [--chain F ...] [--crl F ...] [--at DATE] [--json]
  --gen-crl --cacert F --cakey F [--revoke CERTFILE ...] [--revoke-serial HEX ...]
            [--reason keyCompromise|superseded|...] [--lastcrl F] [--number N] [--lifetime DAYS]
            [--out F | --ipsecd DIR]
  --gen     --type ... (--out-key F | --ipsecd DIR [--name NAME])
common:     [--outform pem|der] [--force] [--digest sha256|sha384|sha512] [--rsa-padding pkcs1|pss]
            [--not-before DATE] [--not-after DATE] [--serial HEX]
`;

export async function runPki(args: readonly string[], io: PkiIo = processIo): Promise<number> {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
    io.stdout(PKI_USAGE);
    return args.length === 0 ? 1 : 0;
  }
  const opIndex = args.findIndex((a) => a.startsWith('--') && a.slice(2) in OPERATIONS);
  if (opIndex < 0) {
    io.stderr(`ipsec pki: no operation given; use one of ${Object.keys(OPERATIONS).filter((n) => n !== 'signcrl').map((n) => `--${n}`).join(', ')}`);
    io.stdout(PKI_USAGE);
    return 1;
  }
  const name = args[opIndex]!.slice(2);
  const operation = OPERATIONS[name]!;
  const rest = [...args.slice(0, opIndex), ...args.slice(opIndex + 1)];
  try {
    const options = parseOptions(rest, operation.options, `--${name}`);
    return await operation.run(options, io);
  } catch (err) {
    if (err instanceof PkiError) {
      io.stderr(`ipsec pki: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
