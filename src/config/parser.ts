// ipsec.conf parser: lexes the main file and every include (relative to the
// including file, with globs) into one AST of sections and settings, each
// carrying its file:line:col. No keyword knowledge here either.
import * as path from 'node:path';
import { type Diagnostics, type Pos } from './diagnostics.js';
import { type FileSource, hasWildcard } from './files.js';
import { lex, type Token } from './lexer.js';

export interface SettingNode {
  key: string;
  value: string;
  keyPos: Pos;
  valuePos: Pos;
  quoted: boolean;
}

export interface SectionNode {
  kind: 'setup' | 'conn' | 'ca';
  name: string;
  pos: Pos;
  namePos: Pos;
  settings: SettingNode[];
}

export interface ConfAst {
  sections: SectionNode[];
  /** Every file read, main file first. */
  files: string[];
}

const MAX_INCLUDE_DEPTH = 10;

function errorMessage(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

export function parseConf(file: string, src: FileSource, diags: Diagnostics, text?: string): ConfAst {
  const ast: ConfAst = { sections: [], files: [] };
  let current: SectionNode | undefined;
  let reportedOrphans = false;

  const consume = (tokens: Token[], depth: number, from: string): void => {
    for (const t of tokens) {
      switch (t.kind) {
        case 'version':
          break;
        case 'bad-header':
          // Keep its settings out of the previous section and out of the model.
          current = { kind: 'conn', name: '', pos: t.pos, namePos: t.pos, settings: [] };
          reportedOrphans = false;
          break;
        case 'header':
          current = { kind: t.section, name: t.name, pos: t.pos, namePos: t.namePos, settings: [] };
          ast.sections.push(current);
          reportedOrphans = false;
          break;
        case 'include': {
          const pattern = path.resolve(path.dirname(from), t.path);
          const matches = src.glob(pattern);
          if (matches.length === 0 && !hasWildcard(t.path)) {
            diags.error(t.pathPos, 'include-missing', `cannot include '${t.path}': no such file`);
          }
          for (const m of matches) {
            if (depth >= MAX_INCLUDE_DEPTH) {
              diags.error(t.pos, 'include-depth', `includes nested more than ${MAX_INCLUDE_DEPTH} deep (an include loop?) at '${t.path}'`);
              break;
            }
            readFile(m, depth + 1, t.pathPos);
          }
          break;
        }
        case 'setting':
          if (!current) {
            if (!reportedOrphans) {
              diags.error(t.keyPos, 'setting-outside-section', `'${t.key}=' appears before any section; put it under 'config setup' or a 'conn NAME' header`);
              reportedOrphans = true;
            }
            break;
          }
          if (t.atColumn1) {
            diags.error(t.keyPos, 'unindented-setting', `parameter '${t.key}=' must be indented (by a space or tab) under its section header`);
          }
          current.settings.push({ key: t.key, value: t.value, keyPos: t.keyPos, valuePos: t.valuePos, quoted: t.quoted });
          break;
      }
    }
  };

  const readFile = (f: string, depth: number, at: Pos | undefined, given?: string): void => {
    let content: string;
    try {
      content = given ?? src.read(f);
    } catch (err) {
      diags.error(at ?? { file: f, line: 1, col: 1 }, 'read-failed', `cannot read '${f}': ${errorMessage(err)}`);
      return;
    }
    ast.files.push(f);
    consume(lex(f, content, diags), depth, f);
  };

  readFile(file, 0, undefined, text);
  return ast;
}
