// The declarative keyword table of ipsec.conf: every keyword of both
// dialects (strongSwan and Libreswan) for `config setup`, `conn` and `ca`,
// with its value type, default, what nodeswan does with it and which
// spelling it is an alias of. Validation (src/config/check-values.ts) and
// docs/config-reference.md (src/config/reference-doc.ts) are both derived
// from this table, so it is the single place to change keyword knowledge.

// 'nodeswan': a keyword of nodeswan's own, in neither dialect.
export type Dialect = 'strongswan' | 'libreswan' | 'nodeswan';
export type SectionKind = 'setup' | 'conn' | 'ca';
/**
 * implemented: mapped into the resolved model and used by nodeswan.
 * ignored: accepted silently, has no effect in nodeswan (documented).
 * not-yet: read into the model, but nodeswan does not act on it yet (IKEv1-only,
 *   IPComp, virtual IPs, EAP, CRL/OCSP, MOBIKE, ...); set to anything but its
 *   default it draws a warning, so no admin believes it is in force.
 * obsolete: historic keyword, accepted with a warning that it is ignored.
 */
export type Status = 'implemented' | 'ignored' | 'not-yet' | 'obsolete';

export type ValueType =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'enum'; values: readonly string[]; list?: boolean }
  | { kind: 'time' }
  | { kind: 'number' }
  | { kind: 'percent' }
  | { kind: 'host' }
  | { kind: 'subnets' }
  | { kind: 'sourceip' }
  | { kind: 'addresses' }
  | { kind: 'range' }
  | { kind: 'proposal' }
  | { kind: 'keyingtries' }
  | { kind: 'mark' }
  | { kind: 'port' }
  | { kind: 'protoport' }
  | { kind: 'auth' }
  | { kind: 'also' };

export interface KeywordDef {
  /** Spelling; for sided keywords the part after `left`/`right` ('' for left=/right= themselves). */
  name: string;
  sided: boolean;
  sections: readonly SectionKind[];
  dialects: readonly Dialect[];
  type: ValueType;
  /** Default as written in the docs ('' when there is none). */
  default: string;
  status: Status;
  /** Canonical keyword (same sidedness) this spelling stands for. */
  aliasOf?: string;
  summary: string;
}

const S: readonly Dialect[] = ['strongswan'];
const L: readonly Dialect[] = ['libreswan'];
const SL: readonly Dialect[] = ['strongswan', 'libreswan'];
const SETUP: readonly SectionKind[] = ['setup'];
const CONN: readonly SectionKind[] = ['conn'];
const CA: readonly SectionKind[] = ['ca'];

const str = { kind: 'string' } as const;
const bool = { kind: 'bool' } as const;
const time = { kind: 'time' } as const;
const num = { kind: 'number' } as const;
const en = (...values: string[]): ValueType => ({ kind: 'enum', values });
const enList = (...values: string[]): ValueType => ({ kind: 'enum', values, list: true });

interface Opts {
  default?: string;
  aliasOf?: string;
  sided?: boolean;
}

const table: KeywordDef[] = [];
function kw(
  name: string,
  sections: readonly SectionKind[],
  dialects: readonly Dialect[],
  type: ValueType,
  status: Status,
  summary: string,
  opts: Opts = {},
): void {
  table.push({ name, sided: opts.sided ?? false, sections, dialects, type, default: opts.default ?? '', status, summary, ...(opts.aliasOf ? { aliasOf: opts.aliasOf } : {}) });
}
function side(name: string, dialects: readonly Dialect[], type: ValueType, status: Status, summary: string, opts: Opts = {}): void {
  kw(name, CONN, dialects, type, status, summary, { ...opts, sided: true });
}

const YES_NO = ['yes', 'no', 'true', 'false', 'on', 'off', 'y', 'n'];
export const BOOL_VALUES: readonly string[] = YES_NO;

// ---------------------------------------------------------------- config setup
kw('charondebug', SETUP, S, str, 'ignored', 'Log levels per subsystem; nodeswan logging is set on the daemon.');
kw('uniqueids', SETUP, SL, en('yes', 'no', 'never', 'replace', 'keep'), 'implemented', 'Whether a new IKE SA with the same peer identity replaces older ones.', { default: 'yes' });
kw('cachecrls', SETUP, S, bool, 'not-yet', 'Cache fetched CRLs on disk.', { default: 'no' });
kw('strictcrlpolicy', SETUP, SL, en('yes', 'no', 'ifuri', 'true', 'false'), 'not-yet', 'Require a fresh CRL for certificate validation.', { default: 'no' });
kw('crl-strict', SETUP, L, bool, 'not-yet', 'Require a fresh CRL.', { aliasOf: 'strictcrlpolicy' });
kw('crl_strict', SETUP, L, bool, 'not-yet', 'Old spelling of crl-strict.', { aliasOf: 'strictcrlpolicy' });
for (const k of ['ocsp-strict', 'ocsp-enable', 'audit-log', 'logtime', 'logappend', 'logip', 'listen-tcp', 'listen-udp', 'ike-socket-errqueue', 'drop-oppo-null', 'dnssec-enable', 'perpeerlog', 'plutorestartoncrash']) {
  kw(k, SETUP, L, bool, 'ignored', 'Libreswan daemon option without effect in nodeswan.');
}
for (const k of ['ocsp_strict', 'ocsp_enable']) kw(k, SETUP, L, bool, 'ignored', 'Old spelling of the dashed option.');
for (const k of ['ocsp-uri', 'ocsp_uri', 'ocsp-trustname', 'ocsp_trust_name', 'curl-iface', 'myvendorid', 'syslog', 'logfile', 'plutostderrlog', 'dumpdir', 'ipsecdir', 'nssdir', 'secretsfile', 'statsbin', 'perpeerlogdir', 'dnssec-rootkey-file', 'dnssec-anchors', 'global-redirect', 'global-redirect-to', 'listen', 'ocsp-method', 'ddos-mode', 'seccomp', 'ikev1-policy']) {
  kw(k, SETUP, L, str, 'ignored', 'Libreswan daemon option without effect in nodeswan.');
}
for (const k of ['ocsp-timeout', 'ocsp_timeout', 'ocsp-cache-size', 'ocsp-cache-min-age', 'ocsp-cache-max-age', 'curl-timeout', 'crlcheckinterval', 'shuntlifetime', 'ike-socket-bufsize', 'nflog-all', 'xfrmlifetime', 'seedbits', 'keep-alive', 'ikeport', 'nat-ikeport', 'expire-shunt-interval', 'expire-lifetime']) {
  kw(k, SETUP, L, str, 'ignored', 'Libreswan daemon tuning without effect in nodeswan.');
}
kw('ddos-ike-threshold', SETUP, L, num, 'implemented', 'Half-open IKE SAs from which a new initiator must return a COOKIE first (RFC 7296 §2.6; 0 = always).', { default: '1000' });
kw('ddos-ike-treshold', SETUP, L, num, 'implemented', 'Old misspelling of ddos-ike-threshold.', { aliasOf: 'ddos-ike-threshold' });
kw('max-halfopen-ike', SETUP, L, num, 'implemented', 'Half-open IKE SAs at which new IKE_SA_INIT requests are dropped, COOKIE or not.', { default: '5000' });
kw('cookie-secret-lifetime', SETUP, ['nodeswan'], time, 'implemented', 'How long a COOKIE secret is current; a cookie is accepted for one to two of these.', { default: '2m' });
kw('crl-timeout', SETUP, L, str, 'ignored', 'Timeout for CRL fetches.');
kw('dns-resolver', SETUP, L, str, 'ignored', 'DNS resolver used by the daemon.');
kw('ipsec-interface-managed', SETUP, L, bool, 'ignored', 'Whether the daemon creates XFRM interfaces.');
kw('virtual-private', SETUP, L, str, 'ignored', 'Networks allowed behind NATed peers (%v4:/%v6: list).');
kw('plutodebug', ['setup', 'conn'], SL, str, 'obsolete', 'Pluto debug flags; nodeswan has its own logging.');
kw('debug', ['setup', 'conn'], L, str, 'ignored', 'Libreswan debug flags; nodeswan has its own logging.');
// Historic keywords: accepted with a warning that nodeswan ignores them.
const OLD_STRONGSWAN = ['interfaces', 'charonstart', 'plutostart', 'klipsdebug', 'prepluto', 'postpluto', 'fragicmp', 'packetdefault', 'hidetos', 'overridemtu', 'nocrsend', 'nat_traversal', 'keep_alive', 'force_keepalive', 'virtual_private', 'pkcs11module', 'pkcs11initargs', 'pkcs11keepstate', 'pkcs11proxy'];
const OLD_LIBRESWAN = ['interfaces', 'klipsdebug', 'prepluto', 'postpluto', 'fragicmp', 'hidetos', 'overridemtu', 'nocrsend', 'nat_traversal', 'keep_alive', 'force_keepalive', 'virtual_private', 'protostack', 'nhelpers', 'oe', 'plutoopts', 'plutowait', 'pluto', 'forwardcontrol', 'rp_filter', 'disable_port_floating', 'plutofork', 'force_busy', 'force-busy', 'myid', 'nat_ikeport', 'plutostderrlogtime', 'secctx-attr-type', 'ikev1-secctx-attr-type', 'secctx_attr_value', 'secctx-attr-value'];
for (const k of new Set([...OLD_STRONGSWAN, ...OLD_LIBRESWAN])) {
  const d: Dialect[] = [];
  if (OLD_STRONGSWAN.includes(k)) d.push('strongswan');
  if (OLD_LIBRESWAN.includes(k)) d.push('libreswan');
  kw(k, SETUP, d, str, 'obsolete', 'Historic FreeS/WAN, Openswan, Libreswan 3.x or strongSwan 4.x setting.');
}

// ---------------------------------------------------------------- ca sections
kw('cacert', CA, S, str, 'not-yet', 'CA certificate file (relative to /etc/ipsec.d/cacerts). nodeswan trusts every certificate in ipsec.d/cacerts/ and does not read ca sections yet.');
kw('crluri', CA, S, str, 'not-yet', 'CRL distribution point.');
kw('crluri1', CA, S, str, 'not-yet', 'CRL distribution point.', { aliasOf: 'crluri' });
kw('crluri2', CA, S, str, 'not-yet', 'Second CRL distribution point.');
kw('ocspuri', CA, S, str, 'not-yet', 'OCSP responder URI.');
kw('ocspuri1', CA, S, str, 'not-yet', 'OCSP responder URI.', { aliasOf: 'ocspuri' });
kw('ocspuri2', CA, S, str, 'not-yet', 'Second OCSP responder URI.');
kw('certuribase', CA, S, str, 'not-yet', 'Base URI for hash-and-URL certificates.');
kw('ldaphost', ['setup', 'ca'], S, str, 'obsolete', 'Removed strongSwan 4.x LDAP option.');
kw('ldapbase', ['setup', 'ca'], S, str, 'obsolete', 'Removed strongSwan 4.x LDAP option.');

// ---------------------------------------------------------------- conn: general
kw('also', ['conn', 'ca'], SL, { kind: 'also' }, 'implemented', 'Include the settings of another section (several allowed, transitive).');
kw('alsoflip', CONN, L, { kind: 'also' }, 'implemented', 'Like also=, swapping left and right of the included section.');
kw('auto', ['conn', 'ca'], SL, en('ignore', 'add', 'route', 'start', 'ondemand', 'up', 'keep'), 'implemented', 'What to do with the conn at start-up: nothing, load, install trap policies, or initiate.', { default: 'ignore' });
kw('type', CONN, SL, en('tunnel', 'transport', 'transport_proxy', 'passthrough', 'pass', 'drop', 'reject'), 'implemented', 'IPsec mode, or a shunt policy.', { default: 'tunnel' });
kw('keyexchange', CONN, SL, en('ike', 'ikev1', 'ikev2'), 'implemented', 'IKE version; `ike` means IKEv2 when initiating.', { default: 'ikev2' });
kw('ikev2', CONN, L, en('never', 'permit', 'propose', 'insist', 'always', ...YES_NO), 'implemented', 'Libreswan switch between IKEv1 (no/never/permit) and IKEv2.', { default: 'yes' });
kw('authby', CONN, SL, enList('pubkey', 'rsasig', 'rsa', 'ecdsasig', 'ecdsa', 'psk', 'secret', 'never', 'null', 'xauthpsk', 'xauthrsasig', 'eaponly', 'rsa-sha1', 'rsa-sha2', 'rsa-sha2_256', 'rsa-sha2_384', 'rsa-sha2_512', 'ecdsa-sha2', 'ecdsa-sha2_256', 'ecdsa-sha2_384', 'ecdsa-sha2_512'), 'implemented', 'How both ends authenticate when leftauth/rightauth are not set.', { default: 'pubkey' });
kw('ike', CONN, SL, { kind: 'proposal' }, 'implemented', 'IKE SA proposals.', { default: 'see "Default proposals"' });
kw('esp', CONN, SL, { kind: 'proposal' }, 'implemented', 'ESP (CHILD SA) proposals.', { default: 'see "Default proposals"' });
kw('ah', CONN, SL, { kind: 'proposal' }, 'implemented', 'AH proposals; selects AH instead of ESP.');
kw('phase2alg', CONN, L, { kind: 'proposal' }, 'implemented', 'Libreswan spelling of the CHILD SA proposals (ESP or AH per phase2=).', { aliasOf: 'esp' });
kw('phase2', CONN, L, en('esp', 'ah', 'default'), 'implemented', 'CHILD SA protocol.', { default: 'esp' });
kw('auth', CONN, SL, en('esp', 'ah', 'default'), 'obsolete', 'Old spelling of phase2=.', { aliasOf: 'phase2' });
kw('ikelifetime', CONN, SL, time, 'implemented', 'Lifetime of the IKE SA before rekeying/reauthentication.', { default: '3h' });
kw('lifetime', CONN, SL, time, 'implemented', 'Lifetime of a CHILD SA before rekeying.', { default: '1h' });
kw('keylife', CONN, SL, time, 'implemented', 'Old name of lifetime.', { aliasOf: 'lifetime' });
kw('salifetime', CONN, L, time, 'implemented', 'Libreswan name of lifetime.', { aliasOf: 'lifetime' });
kw('ipsec-lifetime', CONN, L, time, 'implemented', 'Libreswan name of lifetime.', { aliasOf: 'lifetime' });
kw('rekeymargin', CONN, SL, time, 'implemented', 'How long before expiry rekeying starts.', { default: '9m' });
kw('margintime', CONN, S, time, 'implemented', 'Old name of rekeymargin.', { aliasOf: 'rekeymargin' });
kw('rekeyfuzz', CONN, SL, { kind: 'percent' }, 'implemented', 'Random increase of rekeymargin, in percent.', { default: '100%' });
kw('lifebytes', CONN, S, num, 'implemented', 'CHILD SA byte limit (0 = none).', { default: '0' });
kw('ipsec-max-bytes', CONN, L, num, 'implemented', 'Libreswan name of lifebytes.', { aliasOf: 'lifebytes' });
kw('marginbytes', CONN, S, num, 'implemented', 'Bytes before lifebytes at which rekeying starts.', { default: '0' });
kw('lifepackets', CONN, S, num, 'implemented', 'CHILD SA packet limit (0 = none).', { default: '0' });
kw('ipsec-max-packets', CONN, L, num, 'implemented', 'Libreswan name of lifepackets.', { aliasOf: 'lifepackets' });
kw('marginpackets', CONN, S, num, 'implemented', 'Packets before lifepackets at which rekeying starts.', { default: '0' });
kw('keyingtries', CONN, SL, { kind: 'keyingtries' }, 'implemented', 'Attempts to negotiate a conn; %forever (or 0) for no limit.', { default: '3' });
kw('rekey', CONN, SL, bool, 'implemented', 'Whether nodeswan rekeys SAs before they expire.', { default: 'yes' });
kw('reauth', CONN, SL, bool, 'implemented', 'Reauthenticate (rather than rekey) the IKE SA when it expires.', { default: 'yes' });
kw('dpddelay', CONN, SL, time, 'implemented', 'Interval of liveness checks when no traffic arrives.', { default: '30s' });
kw('dpdtimeout', CONN, SL, time, 'implemented', 'How long a liveness check may go unanswered before the peer is declared dead (nodeswan applies it to IKEv2 too).', { default: '150s' });
kw('ikev1-dpdtimeout', CONN, L, time, 'implemented', 'Libreswan name of dpdtimeout.', { aliasOf: 'dpdtimeout' });
kw('dpdaction', CONN, SL, en('none', 'clear', 'hold', 'restart', 'restart_by_peer'), 'implemented', 'What to do with a dead peer\'s CHILD SAs.', { default: 'none' });
kw('closeaction', CONN, S, en('none', 'clear', 'hold', 'restart'), 'implemented', 'What to do when the peer closes a CHILD SA.', { default: 'none' });
kw('inactivity', CONN, S, time, 'implemented', 'Close a CHILD SA that sent and received nothing for this long, and its IKE SA with the last one (0 = never).', { default: '0' });
kw('mobike', CONN, SL, bool, 'not-yet', 'Enable MOBIKE (RFC 4555).', { default: 'yes' });
kw('fragmentation', CONN, SL, en('yes', 'accept', 'force', 'no', 'never', 'insist', 'true', 'false', 'on', 'off'), 'implemented', 'IKE fragmentation (RFC 7383).', { default: 'yes' });
kw('ike-frag', CONN, L, en('yes', 'no', 'force', 'never', 'insist'), 'implemented', 'Old Libreswan name of fragmentation.', { aliasOf: 'fragmentation' });
kw('ike_frag', CONN, L, en('yes', 'no', 'force', 'never', 'insist'), 'implemented', 'Old Libreswan name of fragmentation.', { aliasOf: 'fragmentation' });
kw('forceencaps', CONN, SL, bool, 'implemented', 'Always encapsulate ESP in UDP (NAT-T), even without a NAT.', { default: 'no' });
kw('encapsulation', CONN, L, en('yes', 'no', 'auto', 'true', 'false', 'on', 'off'), 'implemented', 'Libreswan: yes forces UDP encapsulation, no never encapsulates (no NAT detection), auto detects NAT.', { default: 'auto', aliasOf: 'forceencaps' });
kw('compress', CONN, SL, bool, 'not-yet', 'Propose IPComp.', { default: 'no' });
kw('installpolicy', CONN, S, bool, 'implemented', 'Install kernel IPsec policies for the CHILD SA.', { default: 'yes' });
kw('aggressive', CONN, SL, bool, 'not-yet', 'IKEv1 Aggressive Mode.', { default: 'no' });
kw('aggrmode', CONN, L, bool, 'not-yet', 'Old Libreswan name of aggressive.', { aliasOf: 'aggressive' });
kw('reqid', CONN, SL, num, 'implemented', 'Fixed reqid for the kernel SAs (0 = automatic).', { default: '0' });
kw('replay_window', CONN, S, num, 'implemented', 'Size of the anti-replay window in packets.', { default: '32' });
kw('replay-window', CONN, L, num, 'implemented', 'Libreswan spelling of replay_window.', { aliasOf: 'replay_window' });
kw('mark', CONN, SL, { kind: 'mark' }, 'implemented', 'XFRM mark (value[/mask]) for both directions.');
kw('mark_in', CONN, S, { kind: 'mark' }, 'implemented', 'XFRM mark on inbound policy/SA.');
kw('mark_out', CONN, S, { kind: 'mark' }, 'implemented', 'XFRM mark on outbound policy/SA.');
kw('mark-in', CONN, L, { kind: 'mark' }, 'implemented', 'Libreswan spelling of mark_in.', { aliasOf: 'mark_in' });
kw('mark-out', CONN, L, { kind: 'mark' }, 'implemented', 'Libreswan spelling of mark_out.', { aliasOf: 'mark_out' });
kw('mark_in_sa', CONN, S, bool, 'ignored', 'Apply mark_in to the inbound SA too.');
kw('set_mark', CONN, S, { kind: 'mark' }, 'ignored', 'Mark set on packets after processing.');
kw('set_mark_in', CONN, S, { kind: 'mark' }, 'ignored', 'Mark set on inbound packets after processing.');
kw('set_mark_out', CONN, S, { kind: 'mark' }, 'ignored', 'Mark set on outbound packets after processing.');
kw('if_id', CONN, S, str, 'implemented', 'XFRM interface ID for both directions.');
kw('if_id_in', CONN, S, str, 'implemented', 'XFRM interface ID, inbound.');
kw('if_id_out', CONN, S, str, 'implemented', 'XFRM interface ID, outbound.');
kw('tfc', CONN, SL, str, 'ignored', 'Traffic Flow Confidentiality padding (bytes or %mtu).');
kw('ikedscp', CONN, S, str, 'ignored', 'DSCP value of IKE packets (six binary digits).', { default: '000000' });
kw('hw_offload', CONN, S, en('yes', 'no', 'auto'), 'ignored', 'Hardware ESP offload.', { default: 'no' });
kw('copy_df', CONN, S, bool, 'ignored', 'Copy the DF bit to the outer header.', { default: 'yes' });
kw('copy_ecn', CONN, S, bool, 'ignored', 'Copy ECN bits to the outer header.', { default: 'yes' });
kw('copy_dscp', CONN, S, en('out', 'in', 'yes', 'no'), 'ignored', 'Copy DSCP between inner and outer header.', { default: 'out' });
kw('sha256_96', CONN, S, bool, 'ignored', 'Use the pre-RFC 96-bit SHA-256 truncation (interop with old kernels).', { default: 'no' });
kw('no_reauth_passive', CONN, S, bool, 'ignored', 'Do not reauthenticate as responder.');
kw('modeconfig', CONN, S, en('push', 'pull'), 'ignored', 'IKEv1 Mode Config direction.', { default: 'pull' });
kw('xauth', CONN, S, en('client', 'server'), 'ignored', 'IKEv1 XAUTH role.', { default: 'client' });
kw('xauth_identity', CONN, S, str, 'not-yet', 'Identity for IKEv1 XAUTH.');
kw('eap_identity', CONN, S, str, 'not-yet', 'Identity used for EAP authentication (%identity asks the peer).');
kw('aaa_identity', CONN, S, str, 'not-yet', 'Identity of the AAA backend server.');
kw('mediation', CONN, S, bool, 'ignored', 'IKEv2 Mediation Extension connection.', { default: 'no' });
kw('mediated_by', CONN, S, str, 'ignored', 'Mediation connection used by this conn.');
kw('me_peerid', CONN, S, str, 'ignored', 'Peer ID for mediation.');
kw('pfs', CONN, SL, bool, 'implemented', 'Libreswan: use the key exchange esp= names when CHILD SAs are rekeyed or added (no: never).', { default: 'yes' });
kw('pfsgroup', CONN, S, str, 'obsolete', 'Removed strongSwan 4.x option; put the group in esp=.');
kw('eap', CONN, S, str, 'obsolete', 'Removed strongSwan 4.x option; use leftauth=eap-...');
kw('connaddrfamily', CONN, L, en('ipv4', 'ipv6'), 'obsolete', 'Old address family switch; families come from the addresses.');
kw('hostaddrfamily', CONN, L, en('ipv4', 'ipv6', 'v4', 'v6', 'inet', 'inet6'), 'ignored', 'Address family of left/right when they are names.');
kw('clientaddrfamily', CONN, L, en('ipv4', 'ipv6', 'v4', 'v6', 'inet', 'inet6'), 'ignored', 'Address family of the subnets.');
kw('sareftrack', CONN, L, str, 'obsolete', 'KLIPS SAref tracking.');
kw('disablearrivalcheck', CONN, L, str, 'obsolete', 'KLIPS option.');
kw('connalias', CONN, L, str, 'ignored', 'Extra names for the conn.');
kw('metric', CONN, L, num, 'ignored', 'Route metric.');
kw('mtu', CONN, L, num, 'ignored', 'MTU of routes / VTI.');
kw('priority', CONN, L, num, 'ignored', 'Kernel policy priority.');
kw('nflog', CONN, L, num, 'ignored', 'NFLOG group.');
kw('sendca', CONN, L, en('none', 'issuer', 'all'), 'ignored', 'Which CA certificates to send.', { default: 'issuer' });
kw('narrowing', CONN, L, bool, 'implemented', 'Allow traffic-selector narrowing.', { default: 'no' });
kw('esn', CONN, L, en('yes', 'no', 'either'), 'implemented', 'Extended sequence numbers.', { default: 'either' });
kw('failureshunt', CONN, L, en('none', 'passthrough', 'drop', 'hold', 'reject'), 'ignored', 'Shunt after negotiation failure.');
kw('negotiationshunt', CONN, L, en('passthrough', 'drop', 'hold'), 'ignored', 'Shunt during negotiation.');
kw('retransmit-timeout', CONN, L, time, 'implemented', 'Total time a request is retransmitted before the exchange is given up (set either this or retransmit-interval to use the doubling schedule; else 4 s x1.8, 5 retransmits).');
kw('retransmit-interval', CONN, L, num, 'implemented', 'First retransmission delay in ms, doubled on each retransmit (default 500 when retransmit-timeout is set).');
kw('retransmit-limit', CONN, ['nodeswan'], time, 'implemented', "Upper bound for one retransmission wait (per conn, like strongSwan's charon.retransmit_limit): the doubling stops there, so retransmit-timeout is filled with evenly spaced retransmissions, which is what a lossy link needs.");
kw('nat-keepalive', CONN, L, bool, 'implemented', 'Send NAT-T keepalives.', { default: 'yes' });
kw('nat_keepalive', CONN, L, bool, 'implemented', 'Old spelling of nat-keepalive.', { aliasOf: 'nat-keepalive' });
kw('initial-contact', CONN, L, bool, 'implemented', 'Send INITIAL_CONTACT.', { default: 'yes' });
kw('initial_contact', CONN, L, bool, 'implemented', 'Old spelling of initial-contact.', { aliasOf: 'initial-contact' });
kw('overlapip', CONN, L, bool, 'ignored', 'Allow overlapping addresses from one pool.');
kw('vti-interface', CONN, L, str, 'ignored', 'Route-based VPN via a VTI device (nodeswan uses mark/if_id).');
kw('vti-routing', CONN, L, bool, 'ignored', 'Add routes into the VTI device.');
kw('vti-shared', CONN, L, bool, 'ignored', 'Share one VTI device.');
kw('ipsec-interface', CONN, L, str, 'implemented', 'XFRM interface ID (Libreswan).', { aliasOf: 'if_id' });
kw('nic-offload', CONN, L, en('yes', 'no', 'auto', 'crypto', 'packet'), 'ignored', 'NIC ESP offload.');
kw('enable-tcp', CONN, L, en('no', 'yes', 'fallback'), 'ignored', 'IKE/ESP over TCP (RFC 8229).', { default: 'no' });
kw('tcp-remoteport', CONN, L, num, 'ignored', 'Remote TCP port for RFC 8229.');
kw('ppk', CONN, L, en('no', 'permit', 'propose', 'insist', 'yes', 'never'), 'ignored', 'Post-quantum preshared keys (RFC 8784).');
kw('ppk-ids', CONN, L, str, 'ignored', 'PPK identities.');
kw('intermediate', CONN, L, bool, 'ignored', 'IKE_INTERMEDIATE exchange.');
kw('decap-dscp', CONN, L, bool, 'ignored', 'Copy DSCP on decapsulation.');
kw('encap-dscp', CONN, L, bool, 'ignored', 'Copy DSCP on encapsulation.');
kw('nopmtudisc', CONN, L, bool, 'ignored', 'Disable PMTU discovery on the SA.');
kw('pam-authorize', CONN, L, bool, 'ignored', 'PAM authorization.');
kw('send-redirect', CONN, L, en('yes', 'no', 'auto'), 'ignored', 'IKEv2 redirect (RFC 5685), sending.');
kw('redirect-to', CONN, L, str, 'ignored', 'IKEv2 redirect target.');
kw('accept-redirect', CONN, L, bool, 'ignored', 'IKEv2 redirect (RFC 5685), accepting.');
kw('accept-redirect-to', CONN, L, str, 'ignored', 'Allowed redirect targets.');
kw('cisco-unity', CONN, L, bool, 'ignored', 'Cisco Unity vendor ID.');
kw('cisco_unity', CONN, L, bool, 'ignored', 'Old spelling of cisco-unity.', { aliasOf: 'cisco-unity' });
kw('send-no-esp-tfc', CONN, L, bool, 'ignored', 'Send ESP_TFC_PADDING_NOT_SUPPORTED.');
kw('fake-strongswan', CONN, L, bool, 'ignored', 'Send a strongSwan vendor ID.');
kw('send-vendorid', CONN, L, bool, 'ignored', 'Send a vendor ID.');
kw('send_vendorid', CONN, L, bool, 'ignored', 'Old spelling of send-vendorid.', { aliasOf: 'send-vendorid' });
kw('sha2-truncbug', CONN, L, bool, 'ignored', 'Use 96-bit SHA-256 truncation.');
kw('sha2_truncbug', CONN, L, bool, 'ignored', 'Old spelling of sha2-truncbug.', { aliasOf: 'sha2-truncbug' });
kw('ms-dh-downgrade', CONN, L, bool, 'ignored', 'Windows DH downgrade workaround.');
kw('pfs-rekey-workaround', CONN, L, bool, 'ignored', 'PFS rekey interop workaround.');
kw('require-id-on-certificate', CONN, L, bool, 'ignored', 'Require the ID in the certificate SAN.', { default: 'yes' });
kw('dns-match-id', CONN, L, bool, 'ignored', 'Match the ID against DNS.');
kw('ikepad', CONN, L, bool, 'ignored', 'IKEv1 padding.');
kw('nat-ikev1-method', CONN, L, en('drafts', 'rfc', 'both', 'none'), 'ignored', 'IKEv1 NAT-T variant.');
kw('policy-label', CONN, L, str, 'ignored', 'Labeled IPsec security context.');
kw('policy_label', CONN, L, str, 'ignored', 'Old spelling of policy-label.', { aliasOf: 'policy-label' });
kw('sec-label', CONN, L, str, 'ignored', 'Labeled IPsec security context.');
kw('labeled-ipsec', CONN, L, bool, 'obsolete', 'Old labeled IPsec switch.');
kw('labeled_ipsec', CONN, L, bool, 'obsolete', 'Old labeled IPsec switch.');
kw('remote-peer-type', CONN, L, en('cisco'), 'ignored', 'Cisco interop.');
kw('remote_peer_type', CONN, L, en('cisco'), 'ignored', 'Old spelling of remote-peer-type.', { aliasOf: 'remote-peer-type' });
kw('nm-configured', CONN, L, bool, 'ignored', 'Set by NetworkManager.');
kw('nm_configured', CONN, L, bool, 'ignored', 'Old spelling of nm-configured.', { aliasOf: 'nm-configured' });
kw('xauthby', CONN, L, en('file', 'pam', 'alwaysok'), 'ignored', 'IKEv1 XAUTH backend.');
kw('xauthfail', CONN, L, en('hard', 'soft'), 'ignored', 'IKEv1 XAUTH failure handling.');
kw('modecfgpull', CONN, L, bool, 'ignored', 'IKEv1 Mode Config pull.');
kw('modecfgdns', CONN, L, { kind: 'addresses' }, 'not-yet', 'DNS servers handed to clients (Libreswan).');
kw('modecfgdns1', CONN, L, { kind: 'addresses' }, 'not-yet', 'Old name of modecfgdns.', { aliasOf: 'modecfgdns' });
kw('modecfgdns2', CONN, L, { kind: 'addresses' }, 'not-yet', 'Second DNS server (old).');
kw('modecfgdomains', CONN, L, str, 'ignored', 'DNS domains handed to clients.');
kw('modecfgdomain', CONN, L, str, 'ignored', 'Old name of modecfgdomains.', { aliasOf: 'modecfgdomains' });
kw('modecfgbanner', CONN, L, str, 'ignored', 'Login banner for clients.');
kw('modecfgwins1', CONN, L, str, 'obsolete', 'WINS server (removed).');
kw('modecfgwins2', CONN, L, str, 'obsolete', 'WINS server (removed).');
kw('ignore-peer-dns', CONN, L, bool, 'ignored', 'Do not use DNS servers received from the peer.');
kw('iptfs', CONN, L, bool, 'ignored', 'IP-TFS (RFC 9347).');
for (const k of ['iptfs-dont-frag', 'iptfs-packet-size', 'iptfs-max-queue-size', 'iptfs-init-delay', 'iptfs-reorder-window', 'iptfs-drop-time']) kw(k, CONN, L, str, 'ignored', 'IP-TFS tuning.');
kw('session-resumption', CONN, L, bool, 'ignored', 'IKEv2 session resumption (RFC 5723).');
kw('share-lease', CONN, L, bool, 'ignored', 'Share an address-pool lease between conns of one peer.');
kw('send-esp-tfc-padding-not-supported', CONN, L, bool, 'ignored', 'Send ESP_TFC_PADDING_NOT_SUPPORTED.');
kw('reject-simultaneous-ike-auth', CONN, L, bool, 'ignored', 'Reject a second IKE_AUTH for the same peer in flight.');
kw('iptfs-fragmentation', CONN, L, bool, 'ignored', 'IP-TFS fragmentation.');
kw('cisco-split', CONN, L, bool, 'ignored', 'Cisco split-tunnel attributes.');
kw('clones', CONN, L, num, 'ignored', 'Number of per-CPU SA clones.');
kw('nflog-group', CONN, L, num, 'ignored', 'NFLOG group.', { aliasOf: 'nflog' });

// ---------------------------------------------------------------- conn: per side (left.../right...)
side('', SL, { kind: 'host' }, 'implemented', 'Public address of this end: IP, hostname, %any, %any6, %defaultroute, %group, %opportunistic.', { default: '%any' });
side('subnet', SL, { kind: 'subnets' }, 'implemented', 'Traffic selectors behind this end (CIDR[,CIDR...], [proto/port], %dynamic, vhost:/vnet:).', { default: 'the host address' });
side('subnets', L, { kind: 'subnets' }, 'implemented', 'Libreswan list of subnets ({a b} or a,b); one CHILD SA per pair.');
side('subnetwithin', SL, { kind: 'subnets' }, 'obsolete', 'Old selector option; use subnet.', { aliasOf: 'subnet' });
side('protoport', SL, { kind: 'protoport' }, 'implemented', 'Restrict the selectors to protocol[/port].');
side('sourceip', SL, { kind: 'sourceip' }, 'not-yet', 'Virtual IP: an address to request (%config, %config4, %config6) or pools to serve (CIDR, range, %poolname).');
side('addresspool', L, { kind: 'range' }, 'not-yet', 'Libreswan address pool served to clients (range or CIDR).');
side('dns', S, { kind: 'addresses' }, 'not-yet', 'DNS servers to request or hand out (%config4/%config6 or addresses).');
side('ikeport', SL, { kind: 'port' }, 'implemented', 'UDP port for IKE on this end.', { default: '500' });
side('firewall', S, bool, 'implemented', 'nodeswan adds nftables accept rules for each CHILD SA in its own table inet nodeswan (docs/updown.md); not with updown=.', { default: 'no' });
side('hostaccess', S, bool, 'implemented', 'With firewall=yes, also accept tunnel traffic to and from the gateway itself; PLUTO_HOST_ACCESS=1 for updown scripts.', { default: 'no' });
side('allowany', S, bool, 'not-yet', 'Allow the peer to connect from any address.', { default: 'no' });
side('updown', SL, str, 'implemented', 'Command line run via /bin/sh -c with PLUTO_* variables when CHILD SAs go up or down and traps are routed (docs/updown.md).');
side('auth', SL, { kind: 'auth' }, 'implemented', 'Authentication method of this end (pubkey, psk, eap-*, xauth*, ...).', { default: 'from authby' });
side('auth2', S, { kind: 'auth' }, 'not-yet', 'Second authentication round (RFC 4739).');
side('id', SL, str, 'implemented', 'Identity (IP, @fqdn, user@fqdn, DN, %any, %fromcert).', { default: 'the host address or the certificate subject' });
side('id2', S, str, 'not-yet', 'Identity for the second authentication round.');
side('sigkey', S, str, 'not-yet', 'Raw public key (file or 0s/0x).', { default: '%cert' });
side('rsasigkey', SL, str, 'not-yet', 'Raw RSA public key (%cert, file, 0s...).', { default: '%cert', aliasOf: 'sigkey' });
side('rsasigkey2', L, str, 'ignored', 'Second raw RSA key.');
side('ecdsakey', L, str, 'not-yet', 'Raw ECDSA public key.', { default: '%cert', aliasOf: 'sigkey' });
side('pubkey', L, str, 'not-yet', 'Raw public key.', { default: '%cert', aliasOf: 'sigkey' });
side('eddsakey', L, str, 'not-yet', 'Raw EdDSA public key.', { default: '%cert', aliasOf: 'sigkey' });
side('cert', SL, str, 'implemented', 'Certificate file (or NSS nickname).');
side('cert2', S, str, 'not-yet', 'Certificate for the second authentication round.');
side('ckaid', L, str, 'implemented', 'Key by CKA_ID in the NSS database.');
side('certpolicy', S, str, 'ignored', 'Accepted certificate policy OIDs.');
side('sendcert', SL, en('never', 'no', 'ifasked', 'sendifasked', 'always', 'alwayssend', 'yes'), 'implemented', 'When to send the certificate.', { default: 'ifasked' });
side('ca', SL, str, 'implemented', "Required CA of this end (DN or %same): rightca= refuses a peer certificate whose chain does not pass through that CA; rightca=%same means leftca=, or the CA of our own certificate.");
side('ca2', S, str, 'implemented', 'Required CA for the second round.');
side('groups', S, str, 'not-yet', 'Required group membership (EAP-RADIUS/certificate attributes).');
side('groups2', S, str, 'not-yet', 'Groups for the second round.');
side('nexthop', SL, { kind: 'host' }, 'ignored', 'Next hop to the peer (nodeswan uses the routing table).');
side('vti', L, { kind: 'subnets' }, 'ignored', 'Address of the VTI device.');
side('interface-ip', L, { kind: 'subnets' }, 'ignored', 'Address of the XFRM interface.');
side('xauthserver', L, bool, 'ignored', 'IKEv1 XAUTH server role.');
side('xauthclient', L, bool, 'ignored', 'IKEv1 XAUTH client role.');
side('modecfgserver', L, bool, 'ignored', 'IKEv1 Mode Config server.');
side('modecfgclient', L, bool, 'ignored', 'IKEv1 Mode Config client.');
side('username', L, str, 'not-yet', 'XAUTH/EAP user name.');
side('xauthusername', L, str, 'not-yet', 'Old name of username.', { aliasOf: 'username' });
side('xauthname', L, str, 'not-yet', 'Old name of username.', { aliasOf: 'username' });
side('autheap', L, en('none', 'tls'), 'not-yet', 'Libreswan EAP method of this end.', { default: 'none' });
side('cat', L, bool, 'ignored', 'Client Address Translation.');
side('groundhog', L, str, 'ignored', 'Libreswan test option.');
side('natip', S, str, 'obsolete', 'Removed strongSwan 4.x option.');
side('keepalive', SL, str, 'obsolete', 'Historic per-side NAT keepalive option.');

export const KEYWORDS: readonly KeywordDef[] = table;

export interface KeywordMatch {
  def: KeywordDef;
  side?: 'left' | 'right';
  /** Name of the canonical keyword including the side prefix, e.g. `leftsubnet`, `mark_in`. */
  canonical: string;
}

function buildIndex(): Map<string, KeywordMatch> {
  const index = new Map<string, KeywordMatch>();
  for (const def of table) {
    if (def.sided) {
      for (const s of ['left', 'right'] as const) {
        index.set(`${s}${def.name}`, { def, side: s, canonical: `${s}${def.aliasOf ?? def.name}` });
      }
    } else {
      index.set(def.name, { def, canonical: def.aliasOf ?? def.name });
    }
  }
  return index;
}

const INDEX = buildIndex();

/** Looks a keyword up as written in a file; both dialects compare case-insensitively. */
export function lookupKeyword(key: string): KeywordMatch | undefined {
  return INDEX.get(key) ?? INDEX.get(key.toLowerCase());
}

export function allKeywordSpellings(): IterableIterator<string> {
  return INDEX.keys();
}
