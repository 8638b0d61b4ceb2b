// Runs `ipsec pki` as admins do: a separate node process on src/cli/main.ts,
// or in-process through runPki with captured output for the many error cases.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runPki } from '../../../src/pki/cli/run.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function ipsec(args: string[]): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export async function pkiInProcess(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const status = await runPki(args, {
    stdout: (d) => void (stdout += typeof d === 'string' ? d : Buffer.from(d).toString('latin1')),
    stderr: (l) => void (stderr += `${l}\n`),
    now: () => new Date(),
  });
  return { status, stdout, stderr };
}
