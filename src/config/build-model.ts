// Builds the model from resolved sections: gives every value its meaning
// (reporting syntax problems at the value), applies defaults, then checks
// the rules that involve several settings (address families, auto= without
// right=, AH with forced UDP encapsulation, transport-mode selectors, ...).
import { type Diagnostics, type Pos } from './diagnostics.js';
import { type ResolvedSection, type ResolvedSetting, type SettingMap } from './resolve.js';
import {
  type AuthRound,
  type CaModel,
  type ConfigModel,
  type ConnModel,
  DEFAULTS,
  defaultSetup,
  type EndModel,
  type HostSpec,
  type Mark,
  type SetupModel,
  type SourceIp,
  type TrafficSelector,
} from './model.js';
import { defaultProposals, parseProposals, type ProposalSet } from './proposals.js';
import { type Parsed, parseByType, type ValueProblem } from './values.js';
import { ESN } from '../wire/iana/transforms.js';

function valuePos(node: ResolvedSetting['node'], offset = 0): Pos {
  return { ...node.valuePos, col: node.valuePos.col + offset + (node.quoted ? 1 : 0) };
}

function report(diags: Diagnostics, s: ResolvedSetting, problems: ValueProblem[]): void {
  for (const p of problems) {
    const msg = `${s.node.key}=: ${p.message}`;
    if (p.severity === 'warning') diags.warning(valuePos(s.node, p.offset), p.code ?? 'bad-value', msg);
    else diags.error(valuePos(s.node, p.offset), p.code ?? 'bad-value', msg);
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Parsed values by setting: a value inherited by many conns is parsed (and reported) once. */
type ValueCache = WeakMap<ResolvedSetting['node'], Parsed<unknown>>;

/** Typed access to one section's settings; each value is checked once. */
class Reader {
  constructor(
    private readonly settings: SettingMap,
    private readonly diags: Diagnostics,
    private readonly values: ValueCache = new WeakMap(),
  ) {}

  private parse(s: ResolvedSetting): Parsed<unknown> {
    let r = this.values.get(s.node);
    if (!r) {
      // Shared between the conns that inherit the setting, so frozen.
      r = deepFreeze(parseByType(s.match.def.type, s.node.value));
      this.values.set(s.node, r);
      report(this.diags, s, r.problems);
    }
    return r;
  }

  setting(key: string): ResolvedSetting | undefined {
    const s = this.settings.get(key);
    return s && (s.node.value !== '' || s.node.quoted) ? s : undefined;
  }

  has(key: string): boolean {
    return this.setting(key) !== undefined;
  }

  get<T>(key: string): T | undefined {
    const s = this.setting(key);
    if (!s) return undefined;
    return (this.parse(s) as Parsed<T>).value;
  }

  str(key: string): string | undefined {
    return this.setting(key)?.node.value;
  }

  bool(key: string, fallback: boolean): boolean {
    return this.get<boolean>(key) ?? fallback;
  }

  one(key: string, fallback: string): string {
    return (this.get<string[]>(key) ?? [])[0] ?? fallback;
  }

  num(key: string, fallback: number): number {
    return this.get<number>(key) ?? fallback;
  }

  /** Checks every setting's syntax, including keywords nodeswan ignores. */
  checkAll(skip: Set<string>): void {
    for (const [key, s] of this.settings) {
      if (skip.has(key) || s.match.def.type.kind === 'proposal' || s.match.def.type.kind === 'also') continue;
      if (s.node.value === '' && !s.node.quoted) continue;
      this.parse(s);
    }
  }
}

function firstPos(...settings: (ResolvedSetting | undefined)[]): ResolvedSetting | undefined {
  // The later of two conflicting lines is where the conflict arises.
  const present = settings.filter((s): s is ResolvedSetting => s !== undefined);
  return present.sort((a, b) => (a.node.keyPos.file === b.node.keyPos.file ? b.node.keyPos.line - a.node.keyPos.line : 0))[0];
}

/** Parsed proposal strings by protocol and text: conns sharing a %default or also= parse it once. */
type ProposalCache = Map<string, ReturnType<typeof parseProposals>>;

function proposalsOf(r: Reader, diags: Diagnostics, key: string, protocol: 'ike' | 'esp' | 'ah', cache: ProposalCache): ProposalSet | undefined {
  const s = r.setting(key);
  if (!s) return undefined;
  const cacheKey = `${protocol}\0${s.node.value}`;
  let parsed = cache.get(cacheKey);
  if (!parsed) {
    // Shared between conns, so frozen: the model is read-only data.
    parsed = deepFreeze(parseProposals(s.node.value, protocol));
    cache.set(cacheKey, parsed);
  }
  report(diags, s, parsed.problems);
  return parsed.set;
}

function authRounds(r: Reader, side: 'left' | 'right', authby: string[]): AuthRound[] {
  const rounds: AuthRound[] = [];
  const first = r.get<{ method: string; spec: string }>(`${side}auth`);
  const id = r.str(`${side}id`);
  const cert = r.str(`${side}cert`);
  const ca = r.str(`${side}ca`);
  const groups = r.str(`${side}groups`);
  const extra = { ...(id ? { id } : {}), ...(cert ? { cert } : {}), ...(ca ? { ca } : {}), ...(groups ? { groups } : {}) };
  if (first) rounds.push({ ...first, ...extra });
  else {
    const eap = r.one(`${side}autheap`, 'none');
    const a = authby[0] ?? DEFAULTS.authby;
    let method = 'pubkey';
    if (a === 'psk' || a === 'secret' || a === 'xauthpsk') method = 'psk';
    else if (a === 'never') method = 'never';
    else if (a === 'null') method = 'null';
    else if (a === 'eaponly' || eap === 'tls') method = 'eap';
    rounds.push({ method, spec: eap === 'tls' ? 'eap-tls' : a, ...extra });
  }
  const second = r.get<{ method: string; spec: string }>(`${side}auth2`);
  if (second) {
    const id2 = r.str(`${side}id2`);
    const cert2 = r.str(`${side}cert2`);
    const ca2 = r.str(`${side}ca2`);
    const groups2 = r.str(`${side}groups2`);
    rounds.push({ ...second, ...(id2 ? { id: id2 } : {}), ...(cert2 ? { cert: cert2 } : {}), ...(ca2 ? { ca: ca2 } : {}), ...(groups2 ? { groups: groups2 } : {}) });
  }
  return rounds;
}

function buildEnd(r: Reader, side: 'left' | 'right', authby: string[], protoport: { protocol: number; port?: { from: number; to: number } } | undefined): EndModel {
  const hosts = r.get<HostSpec[]>(side) ?? [];
  const host: HostSpec = hosts[0] ?? { kind: 'any' };
  const subnets: TrafficSelector[] = [...(r.get<TrafficSelector[]>(`${side}subnet`) ?? []), ...(r.get<TrafficSelector[]>(`${side}subnets`) ?? [])];
  const selectors = (subnets.length ? subnets : [host.kind === 'address' ? { cidr: `${host.address}/${host.family === 4 ? 32 : 128}`, family: host.family, protocol: 0 } : { dynamic: true, protocol: 0 }]).map(
    (s) => (protoport && s.protocol === 0 && !s.port ? { ...s, ...protoport } : s),
  );
  const sourceIps: SourceIp[] = [...(r.get<SourceIp[]>(`${side}sourceip`) ?? [])];
  const pool = r.get<SourceIp>(`${side}addresspool`);
  if (pool) sourceIps.push(pool);
  const sendCert = r.one(`${side}sendcert`, 'ifasked');
  const id = r.str(`${side}id`);
  const cert = r.str(`${side}cert`);
  const sigkey = r.str(`${side}sigkey`);
  const ca = r.str(`${side}ca`);
  const updown = r.str(`${side}updown`);
  const username = r.str(`${side}username`);
  return {
    host,
    ...(id !== undefined ? { id } : {}),
    subnets: selectors,
    sourceIps,
    dns: r.get<string[]>(`${side}dns`) ?? [],
    ikePort: r.num(`${side}ikeport`, DEFAULTS.ikePort),
    auth: authRounds(r, side, authby),
    ...(cert !== undefined ? { cert } : {}),
    ...(sigkey !== undefined ? { sigkey } : {}),
    ...(ca !== undefined ? { ca } : {}),
    sendCert: sendCert === 'never' || sendCert === 'no' ? 'never' : sendCert === 'always' || sendCert === 'alwayssend' || sendCert === 'yes' ? 'always' : 'ifasked',
    ...(updown !== undefined ? { updown } : {}),
    firewall: r.bool(`${side}firewall`, false),
    hostAccess: r.bool(`${side}hostaccess`, false),
    allowAny: r.bool(`${side}allowany`, false),
    ...(username !== undefined ? { username } : {}),
  };
}

const MODELED = new Set(['ike', 'esp', 'ah']);

function familiesOf(selectors: TrafficSelector[]): Set<number> {
  return new Set(selectors.map((s) => s.family).filter((f): f is 4 | 6 => f !== undefined));
}

function buildConn(section: ResolvedSection, diags: Diagnostics, cache: ProposalCache, values: ValueCache): ConnModel {
  const r = new Reader(section.settings, diags, values);
  r.checkAll(MODELED);

  // IKE version: keyexchange= (both) or ikev2= (Libreswan).
  let keyExchange: 'ikev1' | 'ikev2' = DEFAULTS.keyExchange;
  const kx = r.one('keyexchange', 'ikev2');
  if (kx === 'ikev1') keyExchange = 'ikev1';
  const ikev2 = r.setting('ikev2');
  if (ikev2 && ['no', 'never', 'permit', 'false', 'off', 'n'].includes(ikev2.node.value.toLowerCase())) keyExchange = 'ikev1';
  if (keyExchange === 'ikev1') {
    const at = kx === 'ikev1' ? r.setting('keyexchange') : ikev2;
    if (at) diags.warning(placeInConn(section, at), 'ikev1', `conn '${section.name}' uses IKEv1; nodeswan negotiates IKEv2 only (for now), so this conn will not come up`);
  }

  const autoValue = r.one('auto', 'ignore');
  const auto: ConnModel['auto'] = autoValue === 'ondemand' ? 'route' : autoValue === 'up' || autoValue === 'keep' ? 'start' : (autoValue as ConnModel['auto']);
  const typeValue = r.one('type', 'tunnel');
  const mode = (typeValue === 'pass' ? 'passthrough' : typeValue) as ConnModel['mode'];
  const authby = r.get<string[]>('authby') ?? [];

  const leftPP = r.get<{ protocol: number; port?: { from: number; to: number } }>('leftprotoport');
  const rightPP = r.get<{ protocol: number; port?: { from: number; to: number } }>('rightprotoport');
  const local = buildEnd(r, 'left', authby, leftPP);
  const remote = buildEnd(r, 'right', authby, rightPP);

  // CHILD SA protocol: ah= (strongSwan) or phase2=ah / auth=ah (Libreswan).
  const phase2 = r.setting('phase2') ?? r.setting('auth');
  const useAh = r.has('ah') || (phase2?.node.value.toLowerCase() === 'ah');
  const ike = proposalsOf(r, diags, 'ike', 'ike', cache) ?? defaultProposals('ike');
  let child: ProposalSet;
  if (useAh) child = proposalsOf(r, diags, r.has('ah') ? 'ah' : 'esp', 'ah', cache) ?? defaultProposals('ah');
  else child = proposalsOf(r, diags, 'esp', 'esp', cache) ?? defaultProposals('esp');
  const esn = r.one('esn', '');
  if (esn === 'yes' || esn === 'either') {
    // Libreswan esn=: a new set rather than a change to the shared one.
    child = { ...child, proposals: child.proposals.map((p) => ({ ...p, esn: esn === 'yes' ? [ESN.ESN] : [ESN.ESN, ESN.NO_ESN] })) };
  }

  // forceencaps= (strongSwan) or encapsulation=yes (Libreswan).
  const encaps = r.setting('forceencaps');
  const forceEncaps = encaps ? ['yes', 'true', 'on', 'y'].includes(encaps.node.value.toLowerCase()) : false;
  // Libreswan's encapsulation=no means never; strongSwan's forceencaps=no means auto.
  const neverEncaps = encaps?.node.key.toLowerCase() === 'encapsulation' && ['no', 'false', 'off'].includes(encaps.node.value.toLowerCase());

  const dpd = r.one('dpdaction', 'none');
  const close = r.one('closeaction', 'none');
  const frag = r.one('fragmentation', 'yes');
  const markBoth = r.get<Mark>('mark');
  const markIn = r.get<Mark>('mark_in') ?? markBoth;
  const markOut = r.get<Mark>('mark_out') ?? markBoth;
  const ifId = (k: string): number | undefined => {
    const v = r.str(k);
    if (v === undefined) return undefined;
    if (/^%unique(-dir)?$/i.test(v)) return 0;
    if (/^(yes|true|on)$/i.test(v)) return 1; // Libreswan ipsec-interface=yes means interface 1
    if (/^(no|false|off)$/i.test(v)) return undefined;
    const n = /^\d+$/.test(v) ? Number(v) : /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : undefined;
    if (n === undefined) {
      const s = r.setting(k);
      if (s) diags.error(valuePos(s.node), 'bad-value', `${s.node.key}=: invalid interface ID '${v}' (a number or %unique)`);
    }
    return n;
  };
  for (const k of ['mark', 'mark_in', 'mark_out', 'if_id', 'if_id_in', 'if_id_out']) {
    const s = r.setting(k);
    if (s && /^%unique/i.test(s.node.value.trim())) {
      diags.warning(valuePos(s.node), 'not-yet', `${s.node.key}=${s.node.value}: a unique value per CHILD SA is not supported by nodeswan yet; its CHILD SAs carry no ${k.startsWith('mark') ? 'mark' : 'interface ID'}`);
    }
  }
  const ifIdBoth = ifId('if_id');
  const ifIdIn = ifId('if_id_in') ?? ifIdBoth;
  const ifIdOut = ifId('if_id_out') ?? ifIdBoth;
  const eapIdentity = r.str('eap_identity');
  const aaaIdentity = r.str('aaa_identity');
  const xauthIdentity = r.str('xauth_identity');

  const conn: ConnModel = {
    name: section.name,
    source: { file: section.header.pos.file, line: section.header.pos.line },
    keyExchange,
    mode,
    auto,
    local,
    remote,
    ike,
    child,
    ikeLifetime: r.num('ikelifetime', DEFAULTS.ikeLifetime),
    lifetime: r.num('lifetime', DEFAULTS.lifetime),
    rekeyMargin: r.num('rekeymargin', DEFAULTS.rekeyMargin),
    rekeyFuzz: r.num('rekeyfuzz', DEFAULTS.rekeyFuzz),
    lifeBytes: r.num('lifebytes', 0),
    marginBytes: r.num('marginbytes', 0),
    lifePackets: r.num('lifepackets', 0),
    marginPackets: r.num('marginpackets', 0),
    keyingTries: r.num('keyingtries', DEFAULTS.keyingTries),
    retransmitInterval: r.num('retransmit-interval', 0),
    retransmitTimeout: r.num('retransmit-timeout', 0),
    retransmitLimit: r.num('retransmit-limit', 0),
    rekey: r.bool('rekey', true),
    reauth: r.bool('reauth', true),
    dpdDelay: r.num('dpddelay', DEFAULTS.dpdDelay),
    dpdTimeout: r.num('dpdtimeout', DEFAULTS.dpdTimeout),
    dpdAction: dpd === 'restart_by_peer' ? 'restart' : (dpd as ConnModel['dpdAction']),
    closeAction: close as ConnModel['closeAction'],
    inactivity: r.num('inactivity', 0),
    mobike: r.bool('mobike', DEFAULTS.mobike),
    fragmentation: frag === 'no' || frag === 'never' || frag === 'false' || frag === 'off' ? 'no' : frag === 'force' || frag === 'insist' ? 'force' : frag === 'accept' ? 'accept' : 'yes',
    forceEncaps,
    neverEncaps,
    compress: r.bool('compress', false),
    installPolicy: r.bool('installpolicy', true),
    aggressive: r.bool('aggressive', false),
    pfs: r.bool('pfs', true),
    reqid: r.num('reqid', 0),
    replayWindow: r.num('replay_window', DEFAULTS.replayWindow),
    ...(markIn ? { markIn } : {}),
    ...(markOut ? { markOut } : {}),
    ...(ifIdIn !== undefined ? { ifIdIn } : {}),
    ...(ifIdOut !== undefined ? { ifIdOut } : {}),
    ...(eapIdentity !== undefined ? { eapIdentity } : {}),
    ...(aaaIdentity !== undefined ? { aaaIdentity } : {}),
    ...(xauthIdentity !== undefined ? { xauthIdentity } : {}),
  };
  checkConn(conn, section, r, diags);
  return conn;
}

/**
 * Where to report a problem of this conn caused by one setting: at the value
 * when the conn sets it itself, at the conn's name when it is inherited from
 * %default or also= (the template line is right for other conns).
 */
function placeInConn(section: ResolvedSection, s: ResolvedSetting): Pos {
  return section.header.settings.includes(s.node) ? valuePos(s.node) : section.header.namePos;
}

function checkConn(conn: ConnModel, section: ResolvedSection, r: Reader, diags: Diagnostics): void {
  const at = (s: ResolvedSetting | undefined): Pos => (s ? valuePos(s.node) : section.header.namePos);

  // auto=start/route needs a peer to talk to.
  if ((conn.auto === 'start' || conn.auto === 'route') && (conn.mode === 'tunnel' || conn.mode === 'transport' || conn.mode === 'transport_proxy')) {
    const autoSetting = r.setting('auto');
    const rightSetting = r.setting('right');
    if (!rightSetting) {
      diags.error(autoSetting ? placeInConn(section, autoSetting) : section.header.namePos, 'missing-right', `conn '${conn.name}': auto=${autoSetting?.node.value ?? conn.auto} needs right= (the peer's address or hostname)`);
    } else if (conn.remote.host.kind === 'any') {
      diags.error(autoSetting ? placeInConn(section, autoSetting) : section.header.namePos, 'initiate-to-any', `conn '${conn.name}': auto=${autoSetting?.node.value} cannot initiate to right=${rightSetting.node.value}; use auto=add to wait for the peer, or give the peer's address`);
    }
  }

  // Address families of the two hosts.
  const lh = conn.local.host;
  const rh = conn.remote.host;
  const familyOfHost = (h: HostSpec): number | undefined => (h.kind === 'address' ? h.family : h.kind === 'any' ? h.family : undefined);
  const lf = familyOfHost(lh);
  const rf = familyOfHost(rh);
  if (lf && rf && lf !== rf) {
    const later = firstPos(r.setting('left'), r.setting('right'));
    diags.error(at(later), 'family-mismatch', `conn '${conn.name}': left= is IPv${lf} but right= is IPv${rf}; both ends must use the same address family`);
  }
  // Address families of the traffic selectors.
  const lsf = familiesOf(conn.local.subnets);
  const rsf = familiesOf(conn.remote.subnets);
  const leftSel = r.setting('leftsubnet') ?? r.setting('leftsubnets');
  const rightSel = r.setting('rightsubnet') ?? r.setting('rightsubnets');
  if ((leftSel || rightSel) && lsf.size && rsf.size && ![...lsf].some((f) => rsf.has(f))) {
    const later = firstPos(leftSel, rightSel);
    diags.error(at(later), 'subnet-family-mismatch', `conn '${conn.name}': leftsubnet is IPv${[...lsf].join('/IPv')} but rightsubnet is IPv${[...rsf].join('/IPv')}; the selectors of both sides must share an address family`);
  }

  // left|rightfirewall=yes is nodeswan's own rules; with a script, the script owns the firewall (as in strongSwan).
  for (const side of ['left', 'right'] as const) {
    const fw = r.setting(`${side}firewall`);
    const updown = r.setting(`${side}updown`);
    if (fw && updown && (side === 'left' ? conn.local : conn.remote).firewall) {
      const later = firstPos(fw, updown);
      diags.error(at(later), 'firewall-with-updown', `conn '${conn.name}': ${side}firewall=yes and ${side}updown= cannot be combined: with ${side}updown= your script is responsible for the firewall rules; add them there and drop ${side}firewall (docs/updown.md)`);
    }
  }

  // AH with forced UDP encapsulation.
  if (conn.child.protocol === 'ah' && conn.forceEncaps) {
    const ahSetting = r.setting('ah') ?? r.setting('phase2') ?? r.setting('auth');
    const later = firstPos(ahSetting, r.setting('forceencaps'));
    diags.error(
      at(later),
      'ah-with-encapsulation',
      `conn '${conn.name}': AH cannot be used with forced UDP encapsulation: AH authenticates the outer IP addresses, which a NAT rewrites, and UDP encapsulation (RFC 3948) covers ESP only; use ESP with integrity only instead, e.g. esp=null-sha256`,
    );
  }

  // Transport mode protects traffic between the two hosts only.
  if (conn.mode === 'transport') {
    for (const side of ['left', 'right'] as const) {
      const end = side === 'left' ? conn.local : conn.remote;
      const s = r.setting(`${side}subnet`) ?? r.setting(`${side}subnets`);
      if (!s) continue;
      const hostCidr = end.host.kind === 'address' ? `${end.host.address}/${end.host.family === 4 ? 32 : 128}` : undefined;
      const foreign = end.subnets.filter((t) => !t.dynamic && !t.virtual && t.cidr !== hostCidr);
      if (foreign.length) {
        diags.warning(valuePos(s.node), 'transport-subnet', `conn '${conn.name}': type=transport protects traffic between the two hosts only; ${side}subnet=${foreign.map((f) => f.cidr).join(',')} is not ${side}= itself (use type=tunnel, or %dynamic / vhost: selectors)`);
      }
    }
  }

  // rekeymargin must leave room before expiry.
  if (conn.rekey && conn.rekeyMargin >= conn.lifetime && r.has('rekeymargin')) {
    diags.warning(at(r.setting('rekeymargin')), 'rekeymargin', `conn '${conn.name}': rekeymargin (${conn.rekeyMargin}s) is not shorter than lifetime (${conn.lifetime}s); SAs would rekey immediately`);
  }
}

function buildSetup(settings: SettingMap, diags: Diagnostics): SetupModel {
  const r = new Reader(settings, diags);
  r.checkAll(new Set());
  const d = defaultSetup();
  const uniq = r.one('uniqueids', d.uniqueIds);
  const crl = r.one('strictcrlpolicy', d.strictCrlPolicy);
  return {
    uniqueIds: (uniq === 'true' ? 'yes' : uniq === 'false' ? 'no' : uniq) as SetupModel['uniqueIds'],
    cacheCrls: r.bool('cachecrls', d.cacheCrls),
    strictCrlPolicy: (crl === 'true' ? 'yes' : crl === 'false' ? 'no' : crl) as SetupModel['strictCrlPolicy'],
    ddosIkeThreshold: r.num('ddos-ike-threshold', d.ddosIkeThreshold),
    maxHalfOpenIke: r.num('max-halfopen-ike', d.maxHalfOpenIke),
    cookieSecretLifetime: r.num('cookie-secret-lifetime', d.cookieSecretLifetime),
  };
}

function buildCa(section: ResolvedSection, diags: Diagnostics): CaModel {
  const r = new Reader(section.settings, diags);
  r.checkAll(new Set());
  const auto = r.one('auto', 'ignore');
  const list = (...keys: string[]): string[] => keys.map((k) => r.str(k)).filter((v): v is string => v !== undefined);
  const cacert = r.str('cacert');
  const certUriBase = r.str('certuribase');
  return {
    name: section.name,
    auto: auto === 'ignore' ? 'ignore' : 'add',
    ...(cacert !== undefined ? { cacert } : {}),
    crlUris: list('crluri', 'crluri2'),
    ocspUris: list('ocspuri', 'ocspuri2'),
    ...(certUriBase !== undefined ? { certUriBase } : {}),
  };
}

export function buildModel(resolved: { setup: SettingMap; conns: ResolvedSection[]; cas: ResolvedSection[] }, diags: Diagnostics): ConfigModel {
  const cache: ProposalCache = new Map();
  const values: ValueCache = new WeakMap();
  return {
    setup: buildSetup(resolved.setup, diags),
    conns: resolved.conns.map((c) => buildConn(c, diags, cache, values)),
    cas: resolved.cas.map((c) => buildCa(c, diags)),
  };
}
