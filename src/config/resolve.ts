// Resolution: checks every keyword against the table (unknown, wrong
// section, obsolete), then merges `conn %default`, also= (several,
// transitive, cycles are errors) and alsoflip= into one flat map of
// settings per section. Values stay raw text here; build-model.ts gives
// them meaning.
import { type Diagnostics } from './diagnostics.js';
import { allKeywordSpellings, type KeywordMatch, lookupKeyword, type SectionKind } from './keywords.js';
import { type ConfAst, type SectionNode, type SettingNode } from './parser.js';
import { nearest } from './suggest.js';
import { parseBool } from './values.js';

export interface ResolvedSetting {
  node: SettingNode;
  match: KeywordMatch;
}

/** Canonical keyword (e.g. `leftsubnet`, `mark_in`) -> the setting that wins. */
export type SettingMap = Map<string, ResolvedSetting>;

export interface ResolvedSection {
  kind: SectionKind;
  name: string;
  header: SectionNode;
  settings: SettingMap;
}

export interface Resolved {
  setup: SettingMap;
  conns: ResolvedSection[];
  cas: ResolvedSection[];
}

const SECTION_TITLE: Record<SectionKind, string> = { setup: "'config setup'", conn: 'conn', ca: 'ca' };

function spellingsFor(kind: SectionKind): string[] {
  const out: string[] = [];
  for (const s of allKeywordSpellings()) {
    const m = lookupKeyword(s);
    if (m && m.def.sections.includes(kind) && m.def.status !== 'obsolete' && !m.def.aliasOf) out.push(s);
  }
  return out;
}

/** Checks the keywords of one section and returns its own settings in order. */
function checkKeywords(section: SectionNode, diags: Diagnostics, suggestions: Map<SectionKind, string[]>): ResolvedSetting[] {
  const out: ResolvedSetting[] = [];
  const seen = new Map<string, SettingNode>();
  for (const node of section.settings) {
    if (/^x[-_]/i.test(node.key)) continue; // Libreswan comment keywords (x-comment=...)
    const match = lookupKeyword(node.key);
    if (!match) {
      let list = suggestions.get(section.kind);
      if (!list) suggestions.set(section.kind, (list = spellingsFor(section.kind)));
      const hint = nearest(node.key, list);
      diags.error(node.keyPos, 'unknown-keyword', `unknown keyword '${node.key}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
      continue;
    }
    if (!match.def.sections.includes(section.kind)) {
      const where = match.def.sections.map((s) => SECTION_TITLE[s]).join(' or ');
      diags.error(node.keyPos, 'wrong-section', `'${node.key}' belongs in a ${where} section, not in ${section.kind === 'setup' ? "'config setup'" : `${section.kind} '${section.name}'`}`);
      continue;
    }
    if (match.def.status === 'obsolete') {
      diags.warning(node.keyPos, 'obsolete-keyword', `'${node.key}' is an obsolete keyword; accepted and ignored by nodeswan`);
    }
    if (match.def.status === 'not-yet' && !isDefaultValue(node.value, match.canonical)) {
      diags.warning(node.keyPos, 'not-yet-keyword', `'${node.key}' is not supported by nodeswan yet and has no effect (${match.def.summary.replace(/\.$/, '')})`);
    }
    if (match.def.type.kind !== 'also') {
      const prev = seen.get(match.canonical);
      if (prev) {
        diags.warning(node.keyPos, 'duplicate-setting', `'${node.key}' is already set in this section at line ${prev.keyPos.line}; the later value wins`);
      }
      seen.set(match.canonical, node);
    }
    out.push({ node, match });
  }
  return out;
}

/** Does `value` mean the keyword's documented default (booleans by meaning)? */
function isDefaultValue(value: string, canonical: string): boolean {
  const def = lookupKeyword(canonical)?.def;
  if (!def || def.default === '') return false;
  if (def.type.kind === 'bool') {
    const [a, b] = [parseBool(value).value, parseBool(def.default).value];
    return a !== undefined && a === b;
  }
  return value.trim().toLowerCase() === def.default.toLowerCase();
}

function flip(canonical: string): string {
  if (canonical.startsWith('left')) return `right${canonical.slice(4)}`;
  if (canonical.startsWith('right')) return `left${canonical.slice(5)}`;
  return canonical;
}

function apply(target: SettingMap, s: ResolvedSetting, flipped: boolean): void {
  const key = flipped && s.match.side ? flip(s.match.canonical) : s.match.canonical;
  // An empty value is kept: it clears what %default or also= set, and
  // build-model treats it as unset.
  target.set(key, flipped && s.match.side ? { node: s.node, match: { ...s.match, side: s.match.side === 'left' ? 'right' : 'left', canonical: key } } : s);
}

export function resolve(ast: ConfAst, diags: Diagnostics): Resolved {
  const suggestions = new Map<SectionKind, string[]>();
  const setup: SettingMap = new Map();
  const own = new Map<string, { header: SectionNode; settings: ResolvedSetting[] }>();
  const byKind: Record<'conn' | 'ca', { header: SectionNode; settings: ResolvedSetting[] }[]> = { conn: [], ca: [] };
  const defaults: Record<'conn' | 'ca', ResolvedSetting[]> = { conn: [], ca: [] };
  let setupSeen: SectionNode | undefined;

  for (const section of ast.sections) {
    const settings = checkKeywords(section, diags, suggestions);
    if (section.kind === 'setup') {
      if (setupSeen) diags.warning(section.pos, 'duplicate-setup', `second 'config setup' section (first at ${setupSeen.pos.file}:${setupSeen.pos.line}); settings are merged`);
      setupSeen ??= section;
      for (const s of settings) apply(setup, s, false);
      continue;
    }
    if (section.name === '%default') {
      defaults[section.kind].push(...settings);
      continue;
    }
    const key = `${section.kind}:${section.name}`;
    const prev = own.get(key);
    if (prev) {
      diags.error(section.namePos, 'duplicate-section', `duplicate ${section.kind} name '${section.name}' (first defined at ${prev.header.pos.file}:${prev.header.pos.line})`);
      continue;
    }
    const entry = { header: section, settings };
    own.set(key, entry);
    byKind[section.kind].push(entry);
  }

  // Flattens a section with its also= chain (not %default). `stack` holds
  // the names being expanded, to detect cycles.
  const cache = new Map<string, SettingMap>();
  const expand = (kind: 'conn' | 'ca', name: string, stack: string[]): SettingMap => {
    const key = `${kind}:${name}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const entry = own.get(key);
    const result: SettingMap = new Map();
    if (!entry) return result;
    const ownSettings: ResolvedSetting[] = [];
    for (const s of entry.settings) {
      if (s.match.def.type.kind !== 'also') {
        ownSettings.push(s);
        continue;
      }
      const flipped = s.match.def.name === 'alsoflip';
      let offset = 0;
      for (const target of s.node.value.split(/[\s,]+/)) {
        const at = s.node.value.indexOf(target, offset);
        offset = at + target.length;
        if (target === '') continue;
        const pos = { ...s.node.valuePos, col: s.node.valuePos.col + at + (s.node.quoted ? 1 : 0) };
        if (target === name || stack.includes(target)) {
          const cycle = [...stack.slice(stack.indexOf(target) >= 0 ? stack.indexOf(target) : 0), name, target];
          diags.error(pos, 'also-cycle', `circular also=: ${cycle.join(' -> ')}`);
          continue;
        }
        if (!own.has(`${kind}:${target}`)) {
          const hint = nearest(target, byKind[kind].map((e) => e.header.name));
          diags.error(pos, 'also-unknown', `also=${target}: no ${kind} named '${target}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
          continue;
        }
        for (const [k, v] of expand(kind, target, [...stack, name])) {
          apply(result, v, flipped);
          void k;
        }
      }
    }
    // The section's own settings win over everything it includes.
    for (const s of ownSettings) apply(result, s, false);
    cache.set(key, result);
    return result;
  };

  const finish = (kind: 'conn' | 'ca'): ResolvedSection[] =>
    byKind[kind].map((e) => {
      const settings: SettingMap = new Map();
      for (const s of defaults[kind]) if (s.match.def.type.kind !== 'also') apply(settings, s, false);
      for (const s of defaults[kind]) if (s.match.def.type.kind === 'also') diags.warning(s.node.keyPos, 'also-in-default', `also= in %default is ignored`);
      for (const [, v] of expand(kind, e.header.name, [])) settings.set(v.match.canonical, v);
      return { kind, name: e.header.name, header: e.header, settings };
    });

  return { setup, conns: finish('conn'), cas: finish('ca') };
}
