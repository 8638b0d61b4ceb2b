// File access for the config readers: reading, include globs, permission
// checks. Kept behind a small interface so tests can also read from memory.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileSource {
  read(file: string): string;
  /** Files matching an absolute pattern with shell wildcards (`*`, `?`, `[...]`), sorted. */
  glob(pattern: string): string[];
  /** Permission bits, or undefined when unknown. */
  mode(file: string): number | undefined;
}

const WILDCARD = /[*?[]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A shell pattern for one path segment as a RegExp; a malformed [...] class matches literally. */
function segmentRegExp(segment: string): RegExp {
  try {
    return new RegExp(`^${segmentSource(segment)}$`);
  } catch {
    return new RegExp(`^${escapeRegExp(segment)}$`);
  }
}

function segmentSource(segment: string): string {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] ?? '';
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const raw = segment.slice(i + 1, close);
        const negate = raw.startsWith('!');
        const body = (negate ? raw.slice(1) : raw).replace(/[\\\]^[]/g, '\\$&');
        re += `[${negate ? '^' : ''}${body}]`;
        i = close;
      }
    } else re += escapeRegExp(ch);
  }
  return re;
}

export const nodeFileSource: FileSource = {
  read: (file) => fs.readFileSync(file, 'utf8'),
  glob(pattern) {
    if (!WILDCARD.test(pattern)) return fs.existsSync(pattern) ? [pattern] : [];
    const parts = pattern.split('/');
    let bases = [parts[0] === '' ? '/' : '.'];
    for (const part of parts.slice(1)) {
      if (part === '') continue;
      const next: string[] = [];
      for (const base of bases) {
        if (!WILDCARD.test(part)) {
          const p = path.join(base, part);
          if (fs.existsSync(p)) next.push(p);
          continue;
        }
        const re = segmentRegExp(part);
        let entries: string[] = [];
        try {
          entries = fs.readdirSync(base);
        } catch {
          continue;
        }
        for (const e of entries) if (re.test(e) && !(e.startsWith('.') && !part.startsWith('.'))) next.push(path.join(base, e));
      }
      bases = next;
    }
    return bases.filter((p) => {
      try {
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    }).sort();
  },
  mode(file) {
    try {
      const st = fs.statSync(file);
      // Only regular files carry meaningful permissions here (not /dev/null, pipes).
      return st.isFile() ? st.mode & 0o777 : undefined;
    } catch {
      return undefined;
    }
  },
};

export function hasWildcard(pattern: string): boolean {
  return WILDCARD.test(pattern);
}

/** In-memory files for tests: paths are absolute keys. */
export function memoryFileSource(files: Record<string, string>, modes: Record<string, number> = {}): FileSource {
  return {
    read(file) {
      const text = files[file];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file '${file}'`), { code: 'ENOENT' });
      return text;
    },
    glob(pattern) {
      const re = new RegExp(`^${pattern.split('/').map((s) => segmentRegExp(s).source.slice(1, -1)).join('/')}$`);
      return Object.keys(files).filter((f) => re.test(f)).sort();
    },
    mode: (file) => modes[file] ?? (files[file] !== undefined ? 0o600 : undefined),
  };
}
