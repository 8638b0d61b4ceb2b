// ipsec.secrets reader (both dialects):
//   : PSK "shared"                     one secret for every peer
//   moon.example.com @sun 192.0.2.1 : PSK 0x1234abcd
//   %any %any6 : PSK 0sbase64==
//   carol@example.com : EAP 'password'
//   : RSA moonKey.pem "passphrase"     : RSA key.pem %prompt     : ECDSA key.pem
//   include /etc/ipsec.d/*.secrets
// Continuation lines start with whitespace. Secrets are wrapped in Secret
// at once so they never reach an error message or output.
import * as path from 'node:path';
import { familyOf } from './addresses.js';
import { type Diagnostics, type Pos } from './diagnostics.js';
import { type FileSource, hasWildcard } from './files.js';
import { splitLines } from './lexer.js';
import { Secret } from './secret.js';

export type SecretType = 'PSK' | 'RSA' | 'ECDSA' | 'ED25519' | 'ED448' | 'BLISS' | 'PKCS8' | 'PKCS12' | 'EAP' | 'NTLM' | 'XAUTH' | 'PIN' | 'PPK';

export interface SecretEntry {
  /** Peer/local identities this secret is for; empty = any. */
  ids: string[];
  type: SecretType;
  /** The shared secret, password, or private-key passphrase. */
  secret?: Secret;
  /** Private key file (RSA/ECDSA/...), relative to /etc/ipsec.d/private unless absolute. */
  file?: string;
  /** Passphrase to be asked for interactively (%prompt). */
  prompt?: boolean;
  source: { file: string; line: number };
}

export interface SecretsModel {
  entries: SecretEntry[];
}

const TYPES: Record<string, SecretType> = {
  psk: 'PSK', rsa: 'RSA', ecdsa: 'ECDSA', ed25519: 'ED25519', ed448: 'ED448', bliss: 'BLISS', pkcs8: 'PKCS8', pkcs12: 'PKCS12', p12: 'PKCS12',
  eap: 'EAP', ntlm: 'NTLM', xauth: 'XAUTH', pin: 'PIN', ppk: 'PPK', private: 'PKCS8',
};
const KEY_TYPES = new Set<SecretType>(['RSA', 'ECDSA', 'ED25519', 'ED448', 'BLISS', 'PKCS8', 'PKCS12']);

interface Tok {
  text: string;
  quoted: boolean;
  pos: Pos;
}

/** Splits one physical line into whitespace-separated tokens, honouring quotes; stops at a comment. */
function tokenize(file: string, lineNo: number, line: string, diags: Diagnostics): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i] ?? '';
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    if (ch === '#') break;
    const pos = { file, line: lineNo, col: i + 1 };
    if (ch === '"' || ch === "'") {
      const close = line.indexOf(ch, i + 1);
      if (close < 0) {
        diags.error(pos, 'unterminated-quote', `unterminated quoted value: the ${ch} opened here is never closed`);
        return undefined;
      }
      out.push({ text: line.slice(i + 1, close), quoted: true, pos });
      i = close + 1;
      continue;
    }
    const start = i;
    while (i < line.length && !/[\s"']/.test(line[i] ?? '')) i++;
    out.push({ text: line.slice(start, i), quoted: false, pos });
  }
  return out;
}

function decodeSecret(t: Tok, diags: Diagnostics): Secret | undefined {
  if (t.quoted) return new Secret(t.text);
  if (/^0x/i.test(t.text)) {
    const hex = t.text.slice(2);
    if (!/^([0-9a-f]{2})+$/i.test(hex)) {
      diags.error(t.pos, 'bad-secret', 'invalid 0x secret: expected an even number of hex digits');
      return undefined;
    }
    return new Secret(Buffer.from(hex, 'hex'));
  }
  if (/^0s/i.test(t.text)) {
    const b64 = t.text.slice(2);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 === 1) {
      diags.error(t.pos, 'bad-secret', 'invalid 0s secret: expected base64');
      return undefined;
    }
    return new Secret(Buffer.from(b64, 'base64'));
  }
  diags.warning(t.pos, 'unquoted-secret', 'secret is not quoted; write it as "..." (or 0x hex / 0s base64) so spaces and # cannot cut it short');
  return new Secret(t.text);
}

function checkSelector(t: Tok, diags: Diagnostics): void {
  if (t.quoted || t.text.startsWith('@') || t.text.startsWith('%') || t.text.includes('@') || t.text.includes('=')) return;
  if (/^[\d.]+$/.test(t.text) && !familyOf(t.text)) diags.error(t.pos, 'bad-selector', `invalid IPv4 address '${t.text}' in secret selector`);
  else if (/^[0-9a-f:]+$/i.test(t.text) && t.text.includes(':') && !familyOf(t.text)) diags.error(t.pos, 'bad-selector', `invalid IPv6 address '${t.text}' in secret selector`);
}

export function parseSecrets(file: string, src: FileSource, diags: Diagnostics, text?: string): SecretsModel {
  const entries: SecretEntry[] = [];
  const read = (f: string, depth: number, at: Pos | undefined, given?: string): void => {
    let content: string;
    try {
      content = given ?? src.read(f);
    } catch (err) {
      const code = (err as { code?: string }).code;
      diags.error(at ?? { file: f, line: 1, col: 1 }, 'read-failed', `cannot read '${f}': ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(err)}`);
      return;
    }
    const mode = src.mode(f);
    if (mode !== undefined && (mode & 0o022) !== 0) {
      // Whoever can write it can plant a PSK or swap a key: refused.
      diags.error({ file: f, line: 1, col: 1 }, 'secrets-writable', `secrets file is writable by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); refused: restrict it with 'chmod 600 ${f}'`);
    } else if (mode !== undefined && (mode & 0o077) !== 0) {
      diags.warning({ file: f, line: 1, col: 1 }, 'secrets-permissions', `secrets file is accessible by group or others (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); restrict it with 'chmod 600 ${f}'`);
    }
    // Logical entries: a line starting with whitespace continues the previous one.
    const logical: { toks: Tok[]; line: number }[] = [];
    const lines = splitLines(content);
    for (let n = 0; n < lines.length; n++) {
      const line = (lines[n] ?? '').replace(/^\uFEFF/, '');
      const toks = tokenize(f, n + 1, line, diags);
      if (!toks || toks.length === 0) continue;
      const continues = /^[ \t]/.test(line) && logical.length > 0;
      if (continues) logical[logical.length - 1]?.toks.push(...toks);
      else logical.push({ toks, line: n + 1 });
    }
    for (const { toks, line } of logical) {
      const first = toks[0];
      if (!first) continue;
      if (!first.quoted && first.text === 'include' && first.pos.col === 1) {
        const target = toks[1];
        if (!target) {
          diags.error(first.pos, 'include-without-file', 'include needs a file name or pattern');
          continue;
        }
        const pattern = path.resolve(path.dirname(f), target.text);
        const matches = src.glob(pattern);
        if (matches.length === 0 && !hasWildcard(target.text)) diags.error(target.pos, 'include-missing', `cannot include '${target.text}': no such file`);
        for (const m of matches) {
          if (depth >= 10) {
            diags.error(first.pos, 'include-depth', `includes nested more than 10 deep at '${target.text}'`);
            break;
          }
          read(m, depth + 1, target.pos);
        }
        continue;
      }
      // The separator is a ':' token; ':PSK' and '@east:' (no space) are accepted too.
      let colon = toks.findIndex((t) => !t.quoted && (t.text === ':' || (t.text.startsWith(':') && TYPES[t.text.slice(1).toLowerCase()] !== undefined)));
      const glued = toks.findIndex((t, i) => !t.quoted && t.text.length > 1 && t.text.endsWith(':') && !t.text.endsWith('::') && TYPES[(toks[i + 1]?.text ?? '').toLowerCase()] !== undefined);
      if (glued >= 0 && (colon < 0 || glued < colon)) {
        const t = toks[glued] as Tok;
        toks.splice(glued, 1, { ...t, text: t.text.slice(0, -1) }, { text: ':', quoted: false, pos: { ...t.pos, col: t.pos.col + t.text.length - 1 } });
        colon = glued + 1;
      }
      if (colon < 0) {
        diags.error(first.pos, 'secret-missing-colon', "expected 'SELECTORS : TYPE secret' (for example ': PSK \"...\"'); no ':' separator found");
        continue;
      }
      const selectors = toks.slice(0, colon);
      for (const s of selectors) checkSelector(s, diags);
      const colonTok = toks[colon];
      let rest = toks.slice(colon + 1);
      if (colonTok && colonTok.text.length > 1) rest = [{ text: colonTok.text.slice(1), quoted: false, pos: { ...colonTok.pos, col: colonTok.pos.col + 1 } }, ...rest];
      const typeTok = rest[0];
      if (!typeTok) {
        diags.error(colonTok?.pos ?? first.pos, 'secret-missing-type', "missing secret type after ':' (PSK, RSA, ECDSA, EAP, XAUTH, ...)");
        continue;
      }
      const type = typeTok.quoted ? undefined : TYPES[typeTok.text.toLowerCase()];
      if (!type) {
        // A quoted or 0x/0s token here is most likely the secret itself: never echo it.
        const shown = typeTok.quoted || /^0[xs]/i.test(typeTok.text) || typeTok.text.length > 12 ? '' : ` '${typeTok.text}'`;
        diags.error(typeTok.pos, 'secret-unknown-type', `${shown ? `unknown secret type${shown}` : "missing secret type after ':'"}; expected one of PSK, RSA, ECDSA, ED25519, PKCS8, PKCS12, EAP, XAUTH, NTLM, PIN, PPK`);
        continue;
      }
      const args = rest.slice(1);
      const entry: SecretEntry = { ids: selectors.map((s) => s.text), type, source: { file: f, line } };
      if (KEY_TYPES.has(type)) {
        const fileTok = args[0];
        if (!fileTok) {
          diags.error(typeTok.pos, 'secret-missing-value', `${type} needs a private key file name`);
          continue;
        }
        if (fileTok.text.startsWith('{')) {
          // Legacy inline raw RSA key block: keep it as the secret.
          entry.secret = new Secret(args.map((a) => a.text).join(' '));
        } else {
          entry.file = fileTok.text;
          const pass = args[1];
          if (pass) {
            if (!pass.quoted && pass.text === '%prompt') entry.prompt = true;
            else {
              const s = decodeSecret(pass, diags);
              if (s) entry.secret = s;
            }
          }
          const extra = args[2];
          if (extra) diags.error(extra.pos, 'secret-extra', `unexpected extra value after the ${type} passphrase (quote a passphrase that contains spaces)`);
        }
      } else {
        const v = args[0];
        if (!v) {
          diags.error(typeTok.pos, 'secret-missing-value', `${type} needs a secret, e.g. ${type} "..."`);
          continue;
        }
        const s = decodeSecret(v, diags);
        if (!s) continue;
        if (s.length === 0) diags.warning(v.pos, 'empty-secret', `empty ${type} secret`);
        entry.secret = s;
        const extra = args[1];
        if (extra) diags.error(extra.pos, 'secret-extra', `unexpected extra value after the ${type} secret (quote secrets that contain spaces)`);
      }
      entries.push(entry);
    }
  };
  read(file, 0, undefined, text);
  return { entries };
}

/** The entries as plain data with every secret masked, for output. */
export function maskedSecrets(model: SecretsModel): Record<string, unknown>[] {
  return model.entries.map((e) => ({
    ids: e.ids,
    type: e.type,
    ...(e.file !== undefined ? { file: e.file } : {}),
    ...(e.secret ? { secret: '<hidden>' } : {}),
    ...(e.prompt ? { prompt: true } : {}),
    source: `${e.source.file}:${e.source.line}`,
  }));
}
