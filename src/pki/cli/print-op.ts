// `ipsec pki --print --in FILE [--in FILE...] [--json]`.
import { type Description, describeFile, formatDescription } from '../describe.js';
import { type PkiIo, readInput } from './io.js';
import { type OptionTable, type ParsedOptions, all, usageError } from './options.js';

export const PRINT_OPTIONS: OptionTable = { in: { value: true, repeat: true }, json: {} };

export async function runPrint(o: ParsedOptions, io: PkiIo): Promise<number> {
  const inputs = all(o, 'in');
  if (inputs.length === 0) throw usageError('--print needs --in FILE (a certificate, CRL or private key, PEM or DER)');
  const described: (Description & { file: string })[] = [];
  for (const path of inputs) {
    for (const d of describeFile(readInput(path, 'file'), path, io.now())) described.push({ file: path, ...d });
  }
  if (o.switches.has('json')) io.stdout(`${JSON.stringify(described, null, 2)}\n`);
  else io.stdout(described.map((d) => `${d.file}: ${formatDescription(d)}`).join('\n'));
  return 0;
}
