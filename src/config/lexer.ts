// ipsec.conf lexer: turns one file's text into classified lines with
// positions. It knows the layout rules (headers at column 1, parameters
// indented, `#` comments, quoted values, CRLF, no final newline) and nothing
// about keywords.
import { type Diagnostics, type Pos } from './diagnostics.js';
import { nearest } from './suggest.js';

export type Token =
  | { kind: 'header'; section: 'setup' | 'conn' | 'ca'; name: string; pos: Pos; namePos: Pos }
  | { kind: 'include'; path: string; pos: Pos; pathPos: Pos }
  | { kind: 'version'; pos: Pos }
  /** A header that could not be understood (already reported): its settings are skipped quietly. */
  | { kind: 'bad-header'; pos: Pos }
  | {
      kind: 'setting';
      key: string;
      value: string;
      keyPos: Pos;
      valuePos: Pos;
      quoted: boolean;
      /** true when the line was not indented (a layout error the parser reports in context). */
      atColumn1: boolean;
    };

const HEADER_WORDS = new Set(['conn', 'config', 'ca', 'include', 'version']);

/** Splits text into lines; accepts LF, CRLF and lone CR, and a missing final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface Cursor {
  line: string;
  i: number;
}

function skipBlanks(c: Cursor): void {
  while (c.i < c.line.length && (c.line[c.i] === ' ' || c.line[c.i] === '\t')) c.i++;
}

/**
 * Reads a value at the cursor: a quoted string (which may hold spaces and `#`),
 * a `{...}` list, or a bare word running to whitespace or `#`.
 * Returns undefined (after reporting) for an unterminated quote.
 */
function readValue(
  c: Cursor,
  pos: (col: number) => Pos,
  diags: Diagnostics,
): { text: string; quoted: boolean; start: number } | undefined {
  const start = c.i;
  const ch = c.line[c.i];
  if (ch === '"' || ch === "'") {
    const close = c.line.indexOf(ch, c.i + 1);
    if (close < 0) {
      diags.error(pos(start), 'unterminated-quote', `unterminated quoted value: the ${ch} opened here is never closed`);
      return undefined;
    }
    c.i = close + 1;
    return { text: c.line.slice(start + 1, close), quoted: true, start };
  }
  if (ch === '{') {
    const close = c.line.indexOf('}', c.i + 1);
    if (close >= 0) {
      c.i = close + 1;
      return { text: c.line.slice(start, close + 1), quoted: false, start };
    }
  }
  while (c.i < c.line.length && !/[\s#]/.test(c.line[c.i] ?? '')) c.i++;
  return { text: c.line.slice(start, c.i), quoted: false, start };
}

/** The remainder of the line after the cursor, with any comment removed. */
function rest(c: Cursor): string {
  const r = c.line.slice(c.i);
  const hash = r.indexOf('#');
  return (hash >= 0 ? r.slice(0, hash) : r).trim();
}

export function lex(file: string, text: string, diags: Diagnostics): Token[] {
  const tokens: Token[] = [];
  const lines = splitLines(text);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').replace(/^\uFEFF/, '');
    const pos = (i: number): Pos => ({ file, line: n + 1, col: i + 1 });
    const c: Cursor = { line, i: 0 };
    skipBlanks(c);
    if (c.i >= line.length || line[c.i] === '#') continue;
    const indented = c.i > 0;
    const wordStart = c.i;
    while (c.i < line.length && !/[\s=#]/.test(line[c.i] ?? '')) c.i++;
    const word = line.slice(wordStart, c.i);
    skipBlanks(c);
    const isAssignment = line[c.i] === '=';

    if (!isAssignment && HEADER_WORDS.has(word)) {
      if (word === 'include') {
        const v = c.i < line.length && line[c.i] !== '#' ? readValue(c, pos, diags) : undefined;
        if (!v || v.text === '') {
          if (v) diags.error(pos(wordStart), 'include-without-file', 'include needs a file name or pattern');
          continue;
        }
        tokens.push({ kind: 'include', path: v.text, pos: pos(wordStart), pathPos: pos(v.start) });
        continue;
      }
      if (indented) {
        diags.error(
          pos(wordStart),
          'indented-header',
          `section header '${word}' must start at column 1; indented lines are parameters of the section above`,
        );
        continue;
      }
      if (word === 'version') {
        const v = rest(c);
        if (!/^2(\.0)?$/.test(v)) diags.warning(pos(wordStart), 'version', `unknown 'version ${v}' (expected 'version 2'); ignored`);
        tokens.push({ kind: 'version', pos: pos(wordStart) });
        continue;
      }
      const nameStart = c.i;
      const v = c.i < line.length && line[c.i] !== '#' ? readValue(c, pos, diags) : undefined;
      if (c.i < line.length && line[c.i] !== '#' && v === undefined) continue; // unterminated quote reported
      const name = v?.text ?? '';
      const extra = rest(c);
      if (word === 'config') {
        if (name !== 'setup') {
          diags.error(pos(wordStart), 'bad-header', `unknown section 'config ${name}' (only 'config setup' exists)`);
          tokens.push({ kind: 'bad-header', pos: pos(wordStart) });
          continue;
        }
      } else if (name === '') {
        diags.error(pos(wordStart), 'bad-header', `'${word}' needs a name, e.g. '${word} myname'`);
        tokens.push({ kind: 'bad-header', pos: pos(wordStart) });
        continue;
      } else if (!/^[A-Za-z0-9_.%+:@-][A-Za-z0-9_.%+:@\/-]*$/.test(name)) {
        diags.error(pos(nameStart), 'bad-header', `invalid ${word} name '${name}' (letters, digits, '-', '_' and '.' only)`);
        tokens.push({ kind: 'bad-header', pos: pos(wordStart) });
        continue;
      }
      if (extra !== '') {
        diags.error(pos(line.indexOf(extra, c.i)), 'bad-header', `unexpected '${extra}' after section header '${word} ${name}'`);
      }
      const section = word === 'config' ? 'setup' : (word as 'conn' | 'ca');
      tokens.push({ kind: 'header', section, name: word === 'config' ? 'setup' : name, pos: pos(wordStart), namePos: pos(nameStart) });
      continue;
    }

    if (!isAssignment) {
      if (word === '') {
        diags.error(pos(wordStart), 'missing-keyword', "a line may not start with '='; expected keyword=value");
      } else if (HEADER_WORDS.has(word.toLowerCase())) {
        diags.error(pos(wordStart), 'bad-header', `'${word}' must be written in lowercase: '${word.toLowerCase()}'`);
        tokens.push({ kind: 'bad-header', pos: pos(wordStart) });
      } else if (!indented && nearest(word, ['conn', 'config', 'include', 'version']) && rest(c) !== '') {
        diags.error(pos(wordStart), 'bad-header', `unknown section keyword '${word}' (did you mean '${nearest(word, ['conn', 'config', 'include', 'version'])}'?)`);
        tokens.push({ kind: 'bad-header', pos: pos(wordStart) });
      } else {
        diags.error(pos(wordStart), 'missing-equals', `missing '=' after '${word}'; expected ${word}=value`);
      }
      continue;
    }
    c.i++; // '='
    skipBlanks(c);
    const valueStart = c.i;
    let value = '';
    let quoted = false;
    if (c.i < line.length && line[c.i] !== '#') {
      const v = readValue(c, pos, diags);
      if (!v) continue;
      value = v.text;
      quoted = v.quoted;
      // What follows a value: nothing, a comment, or (an error) another setting.
      const tail = rest(c);
      if (tail !== '') {
        const tailCol = line.indexOf(tail, c.i);
        const second = /^([A-Za-z][\w-]*)\s*=/.exec(tail);
        if (second) {
          diags.error(
            pos(tailCol),
            'two-settings',
            `two settings on one line ('${second[1]}=' follows '${word}=...'); put each on its own line, or quote a value that contains spaces`,
          );
        } else if (quoted) {
          diags.error(pos(tailCol), 'after-quote', `unexpected '${tail}' after the closing quote`);
        } else if (/^x[-_]/i.test(word)) {
          value = `${value} ${tail}`; // comment keywords (x-comment=...) hold free text
        } else if (value.endsWith(',') || tail.startsWith(',')) {
          // A list written with spaces after its commas: a,  b
          value = `${value}${tail}`.replace(/\s*,\s*/g, ',');
        } else {
          diags.error(
            pos(tailCol),
            'unquoted-space',
            `unexpected '${tail}' after ${word}=${value}: a value containing spaces must be enclosed in double quotes`,
          );
        }
      }
    }
    tokens.push({ kind: 'setting', key: word, value, keyPos: pos(wordStart), valuePos: pos(valueStart), quoted, atColumn1: !indented });
  }
  return tokens;
}
