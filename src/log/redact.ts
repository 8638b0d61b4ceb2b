// Turns arbitrary values into log text without ever printing secret
// material. The guarantee the daemon relies on: a value whose class marks it
// secret (the config layer's Secret, anything tagged with SECRET_TAG, or an
// object whose toString() answers "<hidden>") prints as "<hidden>", and raw
// bytes (Buffer, Uint8Array, ArrayBuffer, KeyObject) print only as their
// length. Field names that smell like secrets are hidden even when the value
// is a plain string, as defence in depth.

/** Any object carrying this symbol (value true) is printed as "<hidden>". */
export const SECRET_TAG = Symbol.for('nodeswan.secret');

const HIDDEN = '<hidden>';
const SECRET_FIELD = /(secret|psk|passw|passphrase|private|keymat|^sk_|nonce_?key)/i;
// Names of files and paths are not secrets ("secretsFile" is fine to show).
const PATH_FIELD = /(file|path|dir)$/i;
const MAX_DEPTH = 4;
const MAX_ITEMS = 32;
const MAX_STRING = 512;

function isSecretObject(value: object): boolean {
  if ((value as Record<symbol, unknown>)[SECRET_TAG] === true) return true;
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  if (ctor && ctor.name === 'Secret') return true;
  const own = (value as { toString?: unknown }).toString;
  if (typeof own === 'function' && own !== Object.prototype.toString && own !== Array.prototype.toString) {
    try {
      return (own as () => unknown).call(value) === HIDDEN;
    } catch {
      return false;
    }
  }
  return false;
}

// PEM private keys are recognisable in any text (an error message quoting
// a file, say): such text never reaches the log.
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Escapes control characters so one event always stays one line. */
export function oneLine(text: string): string {
  if (PEM_PRIVATE_KEY.test(text)) return '<hidden: contains a private key>';
  const clipped = text.length > MAX_STRING ? `${text.slice(0, MAX_STRING)}...(${text.length} chars)` : text;
  // eslint-disable-next-line no-control-regex
  return clipped.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

function quoteIfNeeded(text: string): string {
  const safe = oneLine(text);
  return safe === '' || /[\s"=]/.test(safe) ? JSON.stringify(safe) : safe;
}

export function formatValue(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'string':
      return quoteIfNeeded(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return oneLine(value.toString());
    case 'function':
      return '<function>';
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (isSecretObject(obj)) return HIDDEN;
  if (obj instanceof Uint8Array) return `<${obj.length} bytes>`;
  if (obj instanceof ArrayBuffer || obj instanceof SharedArrayBuffer) return `<${obj.byteLength} bytes>`;
  if (ArrayBuffer.isView(obj)) return `<${obj.byteLength} bytes>`;
  if (obj.constructor?.name === 'KeyObject') return '<key>';
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (obj instanceof Error) {
    const code = (obj as { code?: unknown }).code;
    return quoteIfNeeded(typeof code === 'string' ? `${code}: ${obj.message}` : obj.message);
  }
  if (depth >= MAX_DEPTH) return '...';
  if (Array.isArray(obj)) {
    const items = obj.slice(0, MAX_ITEMS).map((v) => formatValue(v, depth + 1));
    if (obj.length > MAX_ITEMS) items.push(`...(${obj.length} items)`);
    return `[${items.join(',')}]`;
  }
  if (obj instanceof Map) {
    return formatValue(Object.fromEntries(obj), depth);
  }
  if (obj instanceof Set) {
    return formatValue([...obj], depth);
  }
  return `{${formatFields(obj as Record<string, unknown>, depth + 1)}}`;
}

/** `key=value key2=value2`, with secret-looking keys hidden. */
export function formatFields(fields: Record<string, unknown>, depth = 0): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields).slice(0, MAX_ITEMS)) {
    const shown = SECRET_FIELD.test(key) && !PATH_FIELD.test(key) && value !== undefined && value !== null ? HIDDEN : formatValue(value, depth);
    parts.push(`${oneLine(key)}=${shown}`);
  }
  return parts.join(' ');
}
