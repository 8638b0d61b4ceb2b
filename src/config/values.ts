// Value syntax of every type in the keyword table: returns plain data or a
// problem (message plus the character offset inside the value where it is).
import { compareAddresses, familyOf, isHostname, networkAddress, parseCidr, parseProtoPort, parseRange } from './addresses.js';
import { type ValueType } from './keywords.js';
import { type HostSpec, type Mark, type SourceIp, type TrafficSelector } from './model.js';
import { type ParsedProposals, parseProposals } from './proposals.js';
import { nearest } from './suggest.js';

export interface ValueProblem {
  message: string;
  offset: number;
  severity?: 'error' | 'warning';
  code?: string;
}

export type Parsed<T> = { value: T; problems: ValueProblem[] } | { value: undefined; problems: ValueProblem[] };

const ok = <T>(value: T, problems: ValueProblem[] = []): Parsed<T> => ({ value, problems });
const bad = (message: string, offset = 0): Parsed<never> => ({ value: undefined, problems: [{ message, offset }] });

const TRUE = new Set(['yes', 'true', 'on', 'y', '1']);
const FALSE = new Set(['no', 'false', 'off', 'n', '0']);

export function parseBool(v: string): Parsed<boolean> {
  const l = v.toLowerCase();
  if (TRUE.has(l)) return ok(true);
  if (FALSE.has(l)) return ok(false);
  return bad(`invalid value '${v}': expected yes or no`);
}

export function parseEnum(v: string, values: readonly string[], list = false): Parsed<string[]> {
  const items = list ? v.split(/[\s,|]+/).filter(Boolean) : [v];
  const out: string[] = [];
  let offset = 0;
  for (const item of items) {
    const at = v.indexOf(item, offset);
    offset = at + item.length;
    const l = item.toLowerCase();
    if (!values.includes(l)) {
      const hint = nearest(item, values);
      return bad(`invalid value '${item}'${hint ? ` (did you mean '${hint}'?)` : ''}; valid values: ${values.join(', ')}`, at);
    }
    out.push(l);
  }
  return ok(out);
}

const UNITS: Record<string, number> = { '': 1, s: 1, sec: 1, secs: 1, m: 60, min: 60, mins: 60, h: 3600, hour: 3600, hours: 3600, d: 86400, day: 86400, days: 86400 };

/** Durations: `90`, `30s`, `9m`, `3h`, `1d` (seconds when no unit). */
export function parseTime(v: string): Parsed<number> {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) return bad(`invalid duration '${v}': expected a number with an optional unit s, m, h or d (e.g. 30s, 9m, 3h)`);
  return ok(Math.round(Number(m[1]) * unit));
}

const SCALE: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40 };

/** Counts: decimal, 0x hex, 2^N, or with a k/M/G/T (x1000) or Ki/Mi/Gi/Ti (x1024) suffix, optionally followed by B. */
export function parseNumber(v: string): Parsed<number> {
  if (/^0x[0-9a-f]+$/i.test(v)) return ok(parseInt(v, 16));
  const pow = /^2\^(\d{1,2})$/.exec(v);
  if (pow) return ok(2 ** Number(pow[1]));
  const m = /^(\d+)\s*([kmgt]i?)?b?$/i.exec(v);
  const scale = m ? SCALE[(m[2] ?? '').toLowerCase()] : undefined;
  if (m && scale !== undefined) return ok(Number(m[1]) * scale);
  return bad(`invalid number '${v}'`);
}

export function parsePercent(v: string): Parsed<number> {
  const m = /^(\d+)\s*%?$/.exec(v);
  if (!m) return bad(`invalid percentage '${v}' (e.g. 100%)`);
  return ok(Number(m[1]));
}

export function parseKeyingTries(v: string): Parsed<number> {
  if (v.toLowerCase() === '%forever') return ok(0);
  if (/^\d+$/.test(v)) return ok(Number(v));
  return bad(`invalid keyingtries '${v}': expected a number or %forever`);
}

export function parseMark(v: string): Parsed<Mark> {
  const [valueText = '', maskText] = v.split('/');
  const num = (t: string): number | undefined => (/^\d+$/.test(t) ? Number(t) : /^0x[0-9a-f]{1,8}$/i.test(t) ? parseInt(t, 16) : undefined);
  let value: number | undefined;
  let unique = false;
  // %unique (strongSwan) and -1 (Libreswan): a fresh mark per CHILD SA.
  if (/^%(unique(-dir)?|same)$/i.test(valueText) || valueText === '-1') {
    unique = true;
    value = 0;
  } else value = num(valueText);
  if (value === undefined || value > 0xffffffff) return bad(`invalid mark '${v}': expected VALUE[/MASK] (decimal or 0x hex, 32 bits) or %unique`);
  const mask = maskText === undefined ? 0xffffffff : num(maskText);
  if (mask === undefined || mask > 0xffffffff) return bad(`invalid mark mask '${maskText}'`, valueText.length + 1);
  return ok(unique ? { value, mask, unique: true } : { value, mask });
}

export function parsePort(v: string): Parsed<number> {
  if (/^\d+$/.test(v) && Number(v) <= 65535) return ok(Number(v));
  return bad(`invalid port '${v}' (0-65535)`);
}

export function parseHost(v: string): Parsed<HostSpec[]> {
  const out: HostSpec[] = [];
  let offset = 0;
  for (const item of v.split(',')) {
    const at = v.indexOf(item, offset);
    offset = at + item.length;
    const t = item.trim();
    const l = t.toLowerCase();
    if (l === '%any' || l === '%any4') out.push(l === '%any4' ? { kind: 'any', family: 4 } : { kind: 'any' });
    else if (l === '%any6') out.push({ kind: 'any', family: 6 });
    else if (l === '%defaultroute' || l === '%defaultroute4' || l === '%defaultroute6') out.push({ kind: 'defaultroute' });
    else if (l === '%opportunistic' || l === '%oppo' || l === '%opportunisticgroup' || l === '%oppogroup') out.push({ kind: 'opportunistic' });
    else if (l === '%group') out.push({ kind: 'group', name: '%group' });
    else if (/^%[a-z0-9._-]+$/i.test(t)) out.push({ kind: 'hostname', name: t }); // %eth0 style interface names
    else if (familyOf(t)) out.push({ kind: 'address', address: t, family: familyOf(t) ?? 4 });
    else if (t.includes('/') || /^[\d.]+-[\d.]+$/.test(t) || (t.includes(':') && t.includes('-'))) {
      // strongSwan accepts subnets and ranges for the peer: who may connect.
      const c = t.includes('/') ? parseCidr(t) : parseRange(t);
      if (typeof c === 'string') return bad(`invalid address '${t}': ${c}`, at);
      out.push({ kind: 'any', family: c.family });
    } else if (/^\d+(\.\d+){1,3}$/.test(t) || /^[0-9a-f:]+$/i.test(t)) return bad(`invalid IP address '${t}'`, at);
    else if (isHostname(t)) out.push({ kind: 'hostname', name: t });
    else return bad(`invalid host '${t}': expected an IP address, a hostname, %any, %any6 or %defaultroute`, at);
  }
  return ok(out);
}

function selectorWithPort(text: string, at: number): Parsed<TrafficSelector> {
  let base = text;
  let pp: { protocol: number; port?: { from: number; to: number } } = { protocol: 0 };
  const open = text.indexOf('[');
  if (open >= 0) {
    if (!text.endsWith(']')) return bad(`invalid selector '${text}': missing ']'`, at);
    base = text.slice(0, open);
    const parsed = parseProtoPort(text.slice(open + 1, -1));
    if (typeof parsed === 'string') return bad(`invalid selector '${text}': ${parsed}`, at + open + 1);
    pp = parsed;
  }
  if (base.toLowerCase() === '%dynamic') return ok({ dynamic: true, ...pp });
  if (/^[\d.]+-[\d.]+$/.test(base) || (base.includes(':') && base.includes('-'))) {
    const r = parseRange(base);
    if (typeof r === 'string') return bad(`invalid subnet '${base}': ${r}`, at);
    return ok({ cidr: base, family: r.family, ...pp });
  }
  const c = parseCidr(base);
  if (typeof c === 'string') return bad(`invalid subnet '${base}': ${c}`, at);
  const network = networkAddress(c.address, c.prefix, c.family);
  const cidr = `${network}/${c.prefix}`;
  // 10.1.2.3/16 means 10.1.0.0/16 to both dialects' kernels; say so rather than guess it was meant as a host.
  const problems: ValueProblem[] =
    compareAddresses(network, c.address) !== 0 ? [{ message: `'${base}' has host bits set; it means ${cidr}`, offset: at, severity: 'warning', code: 'subnet-host-bits' }] : [];
  return ok({ cidr, family: c.family, ...pp }, problems);
}

/** Subnet lists: `a/n,b/n`, `{a/n b/n}`, `a/n[tcp/22]`, `%dynamic[udp/1701]`, `vhost:%no,%priv`. */
export function parseSubnets(v: string): Parsed<TrafficSelector[]> {
  const trimmed = v.trim();
  if (/^(vhost|vnet):/i.test(trimmed)) return ok([{ virtual: trimmed, protocol: 0 }]);
  const out: TrafficSelector[] = [];
  const problems: ValueProblem[] = [];
  const inner = trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
  const base = trimmed.startsWith('{') ? v.indexOf('{') + 1 : 0;
  const re = /[^\s,]+/g;
  for (let m = re.exec(inner); m; m = re.exec(inner)) {
    const t = m[0];
    const at = base + m.index;
    const l = t.toLowerCase();
    if (l === '%priv' || l === '%no' || l === '%all') {
      out.push({ virtual: l, protocol: 0 });
      continue;
    }
    const s = selectorWithPort(t, at);
    if (s.value === undefined) return s;
    problems.push(...s.problems);
    out.push(s.value);
  }
  if (out.length === 0) return bad('empty subnet list');
  return ok(out, problems);
}

export function parseSourceIps(v: string): Parsed<SourceIp[]> {
  const out: SourceIp[] = [];
  const re = /[^\s,]+/g;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const t = m[0];
    const l = t.toLowerCase();
    if (['%config', '%cfg', '%modeconfig', '%modecfg'].includes(l)) out.push({ kind: 'config' });
    else if (l === '%config4') out.push({ kind: 'config', family: 4 });
    else if (l === '%config6') out.push({ kind: 'config', family: 6 });
    else if (l.startsWith('%')) out.push({ kind: 'named-pool', name: t.slice(1) });
    else if (t.includes('/')) {
      const c = parseCidr(t);
      if (typeof c === 'string') return bad(`invalid address pool '${t}': ${c}`, m.index);
      out.push({ kind: 'pool', cidr: `${c.address}/${c.prefix}`, family: c.family });
    } else if (t.includes('-')) {
      const r = parseRange(t);
      if (typeof r === 'string') return bad(`invalid address range '${t}': ${r}`, m.index);
      out.push({ kind: 'range', ...r });
    } else {
      const f = familyOf(t);
      if (!f) return bad(`invalid source IP '${t}': expected an address, a CIDR pool, a range, %config, %config4, %config6 or %poolname`, m.index);
      out.push({ kind: 'address', address: t, family: f });
    }
  }
  return ok(out);
}

export function parseAddresses(v: string): Parsed<string[]> {
  const out: string[] = [];
  const re = /[^\s,]+/g;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const t = m[0];
    if (/^%config[46]?$/i.test(t) || familyOf(t)) out.push(t);
    else return bad(`invalid address '${t}'`, m.index);
  }
  return ok(out);
}

export function parseAddressRange(v: string): Parsed<SourceIp> {
  const t = v.trim();
  if (t.includes('/')) {
    const c = parseCidr(t);
    if (typeof c === 'string') return bad(`invalid address pool '${t}': ${c}`);
    return ok({ kind: 'pool', cidr: `${c.address}/${c.prefix}`, family: c.family });
  }
  const r = parseRange(t);
  if (typeof r === 'string') return bad(`invalid address pool '${t}': ${r}`);
  return ok({ kind: 'range', ...r });
}

const AUTH_METHODS = ['pubkey', 'rsa', 'ecdsa', 'ed25519', 'ed448', 'bliss', 'psk', 'secret', 'eap', 'xauth', 'null', 'never', 'rsasig', 'ecdsasig', 'eaponly', 'rsa-sha2', 'ecdsa-sha2'];

/** leftauth=: pubkey, rsa-sha256, psk, eap-mschapv2, eap-radius, xauth-pam, null, ... */
export function parseAuth(v: string): Parsed<{ method: string; spec: string }> {
  const spec = v.trim();
  const head = (spec.split(/[-:/]/)[0] ?? '').toLowerCase();
  if (!AUTH_METHODS.includes(head)) {
    const hint = nearest(head, AUTH_METHODS);
    return bad(`invalid authentication method '${spec}'${hint ? ` (did you mean '${hint}'?)` : ''}; expected pubkey, rsa, ecdsa, psk, eap[-type], xauth[-backend], null or never`);
  }
  const method = head === 'secret' ? 'psk' : head === 'rsasig' ? 'rsa' : head === 'ecdsasig' ? 'ecdsa' : head;
  return ok({ method, spec });
}

export type AnyParsed = Parsed<unknown> | ParsedProposals;

/** Generic syntax check of a value by its table type (proposals are checked where their protocol is known). */
export function parseByType(type: ValueType, v: string): Parsed<unknown> {
  switch (type.kind) {
    case 'bool':
      return parseBool(v);
    case 'enum':
      return parseEnum(v, type.values, type.list);
    case 'time':
      return parseTime(v);
    case 'number':
      return parseNumber(v);
    case 'percent':
      return parsePercent(v);
    case 'keyingtries':
      return parseKeyingTries(v);
    case 'mark':
      return parseMark(v);
    case 'port':
      return parsePort(v);
    case 'protoport': {
      const p = parseProtoPort(v);
      return typeof p === 'string' ? bad(p) : ok(p);
    }
    case 'host':
      return parseHost(v);
    case 'subnets':
      return parseSubnets(v);
    case 'sourceip':
      return parseSourceIps(v);
    case 'addresses':
      return parseAddresses(v);
    case 'range':
      return parseAddressRange(v);
    case 'auth':
      return parseAuth(v);
    case 'proposal': {
      const r = parseProposals(v, 'esp');
      return { value: r.set, problems: r.problems };
    }
    case 'string':
    case 'also':
      return ok(v);
  }
}
