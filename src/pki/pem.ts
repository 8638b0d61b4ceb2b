// PEM armour (RFC 7468) for certificates, CRLs and keys.
import { PkiError, type PkiErrorCode } from './errors.js';

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function isPem(data: Uint8Array | string): boolean {
  const head = typeof data === 'string' ? data : Buffer.from(data.subarray(0, 4096)).toString('latin1');
  return head.includes('-----BEGIN ');
}

/** All PEM blocks with one of `labels`, in order. */
export function pemBlocks(text: string, labels: readonly string[]): { label: string; der: Buffer }[] {
  const out: { label: string; der: Buffer }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!labels.includes(m[1]!)) continue;
    const body = m[2]!.replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    out.push({ label: m[1]!, der: Buffer.from(body, 'base64') });
  }
  return out;
}

/** The DER of the first block labelled one of `labels`, or the input itself when it is not PEM. */
export function derFrom(data: Uint8Array | string, labels: readonly string[], code: PkiErrorCode, source: string): Buffer {
  if (!isPem(data)) {
    if (typeof data === 'string') throw new PkiError(code, `${source} is neither PEM nor DER`);
    return Buffer.from(data);
  }
  const text = typeof data === 'string' ? data : Buffer.from(data).toString('latin1');
  const [first] = pemBlocks(text, labels);
  if (!first) throw new PkiError(code, `${source} has no PEM block labelled ${labels.join(' or ')}`);
  return first.der;
}
