// The YAML form of the resolved model (what `ipsec show-config --yaml`
// prints). Reading it back gives the same model: every conn is completed
// from the same defaults the ipsec.conf path uses, and every field is
// checked against the shape of that default so a typo is reported at its
// line and column.
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { familyOf } from './addresses.js';
import { type Diagnostics, type Pos } from './diagnostics.js';
import { type CaModel, type ConfigModel, type ConnModel, defaultSetup } from './model.js';

/** The default conn and ca, built through the ipsec.conf pipeline (injected to avoid an import cycle). */
export interface Templates {
  conn(name: string): ConnModel;
  ca(name: string): CaModel;
}

// The yaml package is loaded on first use: `ipsec check` of an ipsec.conf
// never needs it, and it is a noticeable share of a cold start.
let yamlModule: typeof YamlModule | undefined;
function yaml(): typeof YamlModule {
  yamlModule ??= createRequire(import.meta.url)('yaml') as typeof YamlModule;
  return yamlModule;
}

export function modelToYaml(model: ConfigModel): string {
  // Round-trip through JSON so only plain data reaches the YAML writer.
  const plain = JSON.parse(JSON.stringify(model)) as unknown;
  return yaml().stringify(plain, { lineWidth: 0 });
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v;
}

/** Checks `given` against `template` (same keys, same kinds) and merges it over the template. */
function merge(template: unknown, given: unknown, node: Node | undefined, where: string, pos: (n: Node | undefined) => Pos, diags: Diagnostics, optional: Set<string>): unknown {
  if (template === undefined) return given;
  if (kindOf(template) !== kindOf(given)) {
    diags.error(pos(node), 'yaml-type', `${where}: expected a ${kindOf(template)}, found a ${kindOf(given)}`);
    return template;
  }
  const field = where.slice(where.lastIndexOf('.') + 1);
  const allowed = ENUMS[field];
  if (allowed && typeof given === 'string' && !allowed.includes(given)) {
    diags.error(pos(node), 'yaml-value', `${where}: invalid value '${given}'; valid values: ${allowed.join(', ')}`);
    return template;
  }
  if (kindOf(template) !== 'object') return given;
  // Tagged unions ({ kind: ... }) are taken as written: their fields depend on the kind.
  if ('kind' in (template as object)) {
    const kind = (given as { kind?: unknown }).kind;
    if (typeof kind !== 'string' || !HOST_KINDS.includes(kind)) {
      diags.error(pos(node), 'yaml-value', `${where}.kind: expected one of ${HOST_KINDS.join(', ')}`);
      return template;
    }
    const address = (given as { address?: unknown }).address;
    if (kind === 'address' && (typeof address !== 'string' || !familyOf(address))) {
      diags.error(pos(node), 'yaml-value', `${where}.address: '${String(address)}' is not an IPv4 or IPv6 address`);
      return template;
    }
    return given;
  }
  // Keys in the order written, then the defaults not written.
  const t = template as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(given as object)) if (k in t || optional.has(k)) out[k] = t[k];
  for (const k of Object.keys(t)) if (!(k in out)) out[k] = t[k];
  const map = node && yaml().isMap(node) ? (node as YAMLMap) : undefined;
  for (const [k, v] of Object.entries(given as Record<string, unknown>)) {
    const pair = map?.items.find((p) => (p.key as { value?: unknown } | null)?.value === k);
    const t = (template as Record<string, unknown>)[k];
    if (t === undefined && !optional.has(k)) {
      diags.error(pos((pair?.key as Node | undefined) ?? node), 'yaml-unknown-field', `${where}: unknown field '${k}'`);
      continue;
    }
    out[k] = t === undefined ? v : merge(t, v, pair?.value as Node | undefined, `${where}.${k}`, pos, diags, optional);
  }
  return out;
}

// The enumerated string fields of the model and their values.
const ENUMS: Record<string, readonly string[]> = {
  keyExchange: ['ikev1', 'ikev2'],
  mode: ['tunnel', 'transport', 'transport_proxy', 'passthrough', 'drop', 'reject'],
  auto: ['ignore', 'add', 'route', 'start'],
  dpdAction: ['none', 'clear', 'hold', 'restart'],
  closeAction: ['none', 'clear', 'hold', 'restart'],
  fragmentation: ['yes', 'no', 'accept', 'force'],
  sendCert: ['never', 'ifasked', 'always'],
  uniqueIds: ['yes', 'no', 'never', 'replace', 'keep'],
  strictCrlPolicy: ['yes', 'no', 'ifuri'],
  protocol: ['ike', 'esp', 'ah'],
};
const HOST_KINDS = ['address', 'hostname', 'any', 'defaultroute', 'group', 'opportunistic'];

// Fields that are absent from a default object but valid when present.
const OPTIONAL = new Set(['id', 'cert', 'sigkey', 'ca', 'updown', 'username', 'markIn', 'markOut', 'ifIdIn', 'ifIdOut', 'eapIdentity', 'aaaIdentity', 'xauthIdentity', 'cacert', 'certUriBase']);

export function yamlToModel(file: string, text: string, templates: Templates, diags: Diagnostics): ConfigModel | undefined {
  const { LineCounter, parseDocument, isMap, isSeq } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    diags.error({ file, line: p.line, col: p.col }, 'yaml-syntax', e.message.split('\n')[0] ?? 'YAML syntax error');
  }
  if (doc.errors.length) return undefined;
  const pos = (n: Node | undefined): Pos => {
    const off = n?.range?.[0] ?? 0;
    const p = lc.linePos(off);
    return { file, line: p.line, col: p.col };
  };
  const root = doc.toJS() as unknown;
  if (root === null || root === undefined) return { setup: defaultSetup(), conns: [], cas: [] };
  if (kindOf(root) !== 'object') {
    diags.error(pos(doc.contents ?? undefined), 'yaml-type', 'the YAML config must be a mapping with setup, conns and cas');
    return undefined;
  }
  const r = root as Record<string, unknown>;
  const rootMap = doc.contents as YAMLMap;
  const nodeOf = (parent: Node | undefined, key: string | number): Node | undefined => {
    if (parent && isMap(parent)) return (parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === key)?.value as Node | undefined) ?? undefined;
    if (parent && isSeq(parent) && typeof key === 'number') return parent.items[key] as Node | undefined;
    return undefined;
  };
  for (const k of Object.keys(r)) if (!['setup', 'conns', 'cas'].includes(k)) diags.error(pos(rootMap.items.find((p) => (p.key as { value?: unknown }).value === k)?.key as Node), 'yaml-unknown-field', `unknown top-level field '${k}' (expected setup, conns, cas)`);
  const setup = merge(defaultSetup(), r.setup ?? {}, nodeOf(rootMap, 'setup'), 'setup', pos, diags, OPTIONAL) as ConfigModel['setup'];
  const list = <T>(key: 'conns' | 'cas', make: (name: string) => T): T[] => {
    const v = r[key] ?? [];
    const seqNode = nodeOf(rootMap, key);
    if (!Array.isArray(v)) {
      diags.error(pos(seqNode), 'yaml-type', `${key}: expected a list`);
      return [];
    }
    const names = new Set<string>();
    return v.flatMap((item, i) => {
      const itemNode = nodeOf(seqNode, i);
      const name = (item as { name?: unknown } | null)?.name;
      if (typeof name !== 'string' || name === '') {
        diags.error(pos(itemNode), 'yaml-missing-name', `${key}[${i}]: every entry needs a name`);
        return [];
      }
      if (names.has(name)) {
        diags.error(pos(itemNode), 'duplicate-section', `${key}: duplicate name '${name}'`);
        return [];
      }
      names.add(name);
      const base = make(name) as unknown as Record<string, unknown>;
      const p = pos(itemNode);
      if ('source' in base) base.source = { file, line: p.line };
      const merged = merge(base, item, itemNode, `${key}.${name}`, pos, diags, OPTIONAL) as T;
      return [merged];
    });
  };
  return { setup, conns: list('conns', templates.conn), cas: list('cas', templates.ca) };
}
