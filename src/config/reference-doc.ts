// Renders docs/config-reference.md from the keyword table, the defaults and
// the proposal tables, so the reference cannot drift from what the reader
// accepts. Regenerate with:
//   node --import tsx src/config/reference-doc.ts > docs/config-reference.md
// (test/config/reference-doc.test.ts fails when the file is out of date).
import { pathToFileURL } from 'node:url';
import { TransformType, transformName } from '../wire/iana/transforms.js';
import { type KeywordDef, KEYWORDS, type SectionKind, type ValueType } from './keywords.js';
import { DEFAULTS } from './model.js';
import { defaultProposals, type ProposalSet, SUPPORTED_TOKENS } from './proposals.js';

const STATUS: Record<KeywordDef['status'], string> = {
  implemented: 'implemented',
  ignored: 'accepted, ignored',
  'not-yet': 'accepted, not yet supported',
  obsolete: 'obsolete: warning, ignored',
};

function valueText(t: ValueType): string {
  switch (t.kind) {
    case 'enum':
      return `${t.list ? 'list of ' : ''}${t.values.map((v) => `\`${v}\``).join(' \\| ')}`;
    case 'bool':
      return 'yes \\| no';
    case 'time':
      return 'duration (s, m, h, d)';
    case 'percent':
      return 'percent';
    case 'keyingtries':
      return 'number \\| `%forever`';
    case 'mark':
      return 'value[/mask] \\| `%unique`';
    case 'host':
      return 'address \\| hostname \\| `%any` ...';
    case 'subnets':
      return 'selector list';
    case 'sourceip':
      return 'virtual IP / pools';
    case 'addresses':
      return 'address list';
    case 'range':
      return 'range \\| CIDR';
    case 'proposal':
      return 'proposal list';
    case 'protoport':
      return 'protocol[/port]';
    case 'port':
      return 'port';
    case 'auth':
      return 'auth method';
    case 'also':
      return 'section name(s)';
    default:
      return t.kind;
  }
}

function dialects(d: KeywordDef): string {
  return d.dialects.length === 2 ? 'both' : d.dialects[0] === 'strongswan' ? 'strongSwan' : d.dialects[0] === 'nodeswan' ? 'nodeswan' : 'Libreswan';
}

function row(d: KeywordDef): string {
  const name = d.sided ? `left${d.name} / right${d.name}` : d.name;
  const alias = d.aliasOf ? (d.sided ? `left${d.aliasOf}` : d.aliasOf) : '';
  return `| \`${name}\` | ${dialects(d)} | ${valueText(d.type)} | ${d.default ? d.default.replace(/\|/g, '\\|') : ''} | ${STATUS[d.status]} | ${alias ? `\`${alias}\`` : ''} | ${d.summary} |`;
}

function table(title: string, filter: (d: KeywordDef) => boolean): string[] {
  const rows = KEYWORDS.filter(filter)
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name));
  return [
    `### ${title}`,
    '',
    '| keyword | dialect | value | default | nodeswan | alias of | meaning |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(row),
    '',
  ];
}

function proposalText(set: ProposalSet): string[] {
  return set.proposals.map((p, i) => {
    const parts = [
      p.encr.length ? `encr ${p.encr.map((e) => transformName(TransformType.ENCR, e.id, e.keyLength)).join(', ')}` : '',
      p.integ.length ? `integ ${p.integ.map((x) => transformName(TransformType.INTEG, x)).join(', ')}` : '',
      p.prf.length ? `prf ${p.prf.map((x) => transformName(TransformType.PRF, x)).join(', ')}` : '',
      p.ke.length ? `ke ${p.ke.map((x) => transformName(TransformType.KE, x)).join(', ')}` : '',
      p.esn.length ? `esn ${p.esn.map((x) => transformName(TransformType.ESN, x)).join(', ')}` : '',
    ].filter(Boolean);
    return `${i + 1}. ${parts.join('; ')}`;
  });
}

const inSection = (s: SectionKind) => (d: KeywordDef) => d.sections.includes(s);

export function renderReference(): string {
  const lines: string[] = [
    '# nodeswan configuration reference',
    '',
    '<!-- Generated from src/config/keywords.ts by src/config/reference-doc.ts; do not edit by hand. -->',
    '',
    'nodeswan reads `/etc/ipsec.conf` and `/etc/ipsec.secrets` as written for strongSwan',
    '(ipsec.conf(5) of the starter) or Libreswan (ipsec.conf(5) of pluto). Check them with',
    '`ipsec check [--config F] [--secrets F] [--json]`; see the resolved result with',
    '`ipsec show-config [NAME...] [--json|--yaml]`. The `--yaml` output is itself a valid',
    '`--config file.yaml` and gives the same model.',
    '',
    '## File layout',
    '',
    '- Sections: `config setup`, `conn NAME`, `conn %default`, `ca NAME`, `ca %default`. Headers start at column 1.',
    '- Parameters are `keyword=value`, indented by spaces or tabs; spaces around `=` are allowed.',
    '- `#` starts a comment anywhere outside quotes (also after values and headers).',
    '- Values may be quoted with `"..."` or `\'...\'` to hold spaces and `#`. An empty value (`leftsubnet=`) clears a setting inherited from `%default` or `also=`.',
    '- `include FILE` (relative to the including file; shell wildcards allowed; a pattern matching nothing is fine, a missing plain file is an error). Included text continues the current section.',
    '- `version 2` lines are accepted; CRLF line ends, a missing final newline and trailing whitespace are fine.',
    '- Keywords starting with `x-` or `x_` are Libreswan comments and ignored.',
    '- `also=NAME` (several lines allowed, transitive) includes another section; `alsoflip=NAME` includes it with left and right swapped.',
    '  Order of precedence, lowest first: `%default`, the `also=` sections in the order written (a later one wins), the conn\'s own settings.',
    '  A cycle is an error at the `also=` that closes it.',
    '',
    'By convention `left` is the local end and `right` the peer.',
    '',
    '## Diagnostics',
    '',
    'Every problem of a run is listed as `FILE:LINE:COL: error|warning: message`, at the value (for value',
    'problems) or at the keyword. `ipsec check` exits 0 when there is no error (warnings allowed), 1',
    'otherwise. Rules that involve two settings are reported at the later of the two lines; a conn problem',
    'caused by a setting inherited from `%default` or `also=` (e.g. `auto=start` without `right=`) is reported at',
    'the conn\'s name. A problem inside a `%default` or `also=` section itself is reported once, at its line.',
    '',
    '- Errors: unknown keyword (with the nearest valid name), keyword in the wrong section, bad value of any',
    '  type below (addresses, CIDRs, durations, enumerations, marks, ports, proposals), unknown or circular `also=`,',
    '  duplicate conn name, two settings on one line, missing `=`, parameter before any section or not indented,',
    '  indented section header, unterminated quote (at the opening quote), `auto=start|route` without `right=`',
    '  or towards `%any`, left/right or subnet address-family mismatch, `leftfirewall=yes` with `leftupdown=`,',
    '  AH (`ah=`, `phase2=ah`) with forced UDP encapsulation (`forceencaps=yes`, `encapsulation=yes`).',
    '- With ipsec.secrets: a conn that authenticates with a PSK and finds none gets a warning at its name.',
    '  `ipsec check` reads `--secrets FILE`, or else /etc/ipsec.secrets with the default config, or else',
    '  `ipsec.secrets` next to `--config FILE` when it exists.',
    '- Warnings: obsolete keywords, IKEv1 conns (nodeswan negotiates IKEv2 only for now), weak algorithms,',
    '  transport mode with selectors other than the hosts, a keyword set twice in one section, a subnet with host',
    '  bits set (`10.1.2.3/16` means `10.1.0.0/16`), incomplete proposals, a secrets file readable by group or others.',
    '',
    '## Defaults',
    '',
    'Where strongSwan and Libreswan disagree nodeswan uses strongSwan\'s default.',
    '',
    '| setting | default |',
    '|---|---|',
    `| keyexchange | ${DEFAULTS.keyExchange} |`,
    `| type | ${DEFAULTS.mode} |`,
    `| auto | ${DEFAULTS.auto} |`,
    `| authby | ${DEFAULTS.authby} |`,
    `| ikelifetime | ${DEFAULTS.ikeLifetime / 3600}h |`,
    `| lifetime | ${DEFAULTS.lifetime / 3600}h |`,
    `| rekeymargin | ${DEFAULTS.rekeyMargin / 60}m |`,
    `| rekeyfuzz | ${DEFAULTS.rekeyFuzz}% |`,
    `| keyingtries | ${DEFAULTS.keyingTries} |`,
    `| dpddelay | ${DEFAULTS.dpdDelay}s |`,
    `| dpdtimeout | ${DEFAULTS.dpdTimeout}s |`,
    `| dpdaction | ${DEFAULTS.dpdAction} |`,
    `| closeaction | ${DEFAULTS.closeAction} |`,
    `| inactivity | 0 (never) |`,
    `| rekey / reauth | yes / yes |`,
    `| mobike | yes |`,
    `| forceencaps | no (UDP encapsulation only when a NAT is detected) |`,
    `| compress / installpolicy | no / yes |`,
    `| leftsendcert | ifasked |`,
    `| uniqueids (config setup) | yes |`,
    `| strictcrlpolicy / cachecrls (config setup) | no / no |`,
    `| ike / esp | see below |`,
    `| fragmentation | ${DEFAULTS.fragmentation} |`,
    `| replay_window | ${DEFAULTS.replayWindow} packets |`,
    `| left / right | %any (a conn that initiates needs right=) |`,
    `| leftsubnet / rightsubnet | the end's own address (/32 or /128), or %dynamic when the address is not known |`,
    `| leftikeport / rightikeport | ${DEFAULTS.ikePort} |`,
    '',
    '`%defaultroute` is kept as such in the model and resolved to the address of the default route when the daemon starts.',
    '',
    '### Default proposals',
    '',
    'Used when `ike=` / `esp=` / `ah=` are absent. An `ike=` proposal without a key exchange method gets the default',
    'IKE list of groups; ESP/AH proposals without a group use no PFS; without `esn`/`noesn` they use no ESN.',
    'A non-AEAD proposal without an integrity algorithm gets sha256, sha384, sha512 (and the matching PRFs in',
    '`ike=`), an AEAD `ike=` proposal without a PRF gets prfsha256, prfsha384, prfsha512; both with a warning.',
    '',
    '`ike=` default:',
    '',
    ...proposalText(defaultProposals('ike')),
    '',
    '`esp=` default:',
    '',
    ...proposalText(defaultProposals('esp')),
    '',
    '`ah=` default:',
    '',
    ...proposalText(defaultProposals('ah')),
    '',
    '## Proposal strings',
    '',
    '`ike=`, `esp=`, `ah=` and Libreswan\'s `phase2alg=` accept both grammars. Proposals are separated by `,`;',
    'algorithms within a proposal by `-` (strongSwan), `;` before a Libreswan key exchange, or `+` between',
    'Libreswan alternatives. A final `!` makes the list strict. Several algorithms of one type in one proposal',
    'are offered as alternatives (`aes256-aes128-sha256-sha1-modp2048-modp4096`). In `ike=` a hash name gives',
    'both the integrity algorithm and the PRF unless `prf...` is written; with an AEAD cipher it names the PRF.',
    'Libreswan `null` after an AEAD cipher means "no integrity"; as the first algorithm it is ENCR_NULL.',
    '',
    ...Object.entries(SUPPORTED_TOKENS).map(([k, v]) => `- ${k}: ${v.map((x) => `\`${x}\``).join(', ')}`),
    '',
    'Weak algorithms load with a warning: `modp768`, `modp1024`, `modp1536`, `modp1024s160`, `ecp192`, `3des`,',
    '`des`, `blowfish`, `cast128`, `md5`, `sha1` as integrity. An unknown name is an error that names it and lists',
    'the supported ones.',
    '',
    '## Keywords',
    '',
    '"nodeswan" says what nodeswan does with a keyword: *implemented* (part of the resolved model),',
    '*accepted, ignored* (valid, checked for syntax, no effect in nodeswan), *accepted, not yet supported* (in the',
    'model, but nodeswan does not act on it yet: IKEv1-only settings and IPComp), *obsolete* (historic keyword,',
    'accepted with a warning that it is ignored). Keyword names compare case-insensitively.',
    '',
    ...table('config setup', inSection('setup')),
    ...table('conn: per end (left... / right...)', (d) => d.sided),
    ...table('conn: general', (d) => inSection('conn')(d) && !d.sided),
    ...table('ca', inSection('ca')),
    '## Dialect differences',
    '',
    '- Spellings: strongSwan `mark_in`, `mark_out`, `replay_window`, `forceencaps=yes`, `esp=`/`ah=`; Libreswan',
    '  `mark-in`, `mark-out`, `replay-window`, `encapsulation=yes|no|auto`, `phase2alg=` with `phase2=esp|ah`.',
    '  Both map to the same model field.',
    '- IKE version: strongSwan `keyexchange=ikev1|ikev2|ike`; Libreswan `ikev2=yes|no|insist|permit|propose|never`.',
    '- Lifetimes: strongSwan `lifetime`/`keylife`, `margintime`; Libreswan `salifetime`, `ipsec-lifetime`.',
    '- Subnets: strongSwan `leftsubnet=a,b` with `[proto/port]` per selector; Libreswan `leftsubnets={a b}` and',
    '  `leftprotoport=`; Libreswan `vhost:`/`vnet:` and `%priv`/`%no` are accepted as written.',
    '- Address pools: strongSwan `rightsourceip=CIDR|range|%pool|%config`; Libreswan `rightaddresspool=range`.',
    '- Authentication: strongSwan `leftauth=`/`leftauth2=` per end; Libreswan `authby=` lists and `leftauth=`.',
    '- Raw keys: strongSwan `leftsigkey`; Libreswan `leftrsasigkey`, `leftecdsakey`, `leftpubkey`.',
    '',
    '## ipsec.secrets',
    '',
    '```',
    ': PSK "secret for any peer"',
    '192.0.2.1 2001:db8::1 @gw.example.com : PSK 0x6e6f6465737761',
    '%any %any6 : PSK 0sbm9kZXN3YW4=',
    '"C=CH, O=Example, CN=gw" : PSK \'single quotes work too\'',
    'carol@example.com : EAP "password"',
    'dave : XAUTH "password"',
    ': RSA gwKey.pem "passphrase"      # or %prompt, or no passphrase',
    ': ECDSA ecKey.pem',
    'include /etc/ipsec.d/*.secrets',
    '```',
    '',
    'Selectors before `:` name the identities a secret is for (none = any). Lines starting with whitespace continue',
    'the previous entry. Types: PSK, RSA, ECDSA, ED25519, ED448, BLISS, PKCS8, PKCS12, EAP, NTLM, XAUTH, PIN, PPK.',
    'Secrets never appear in output or logs: they print as `<hidden>`. A secrets file readable by group or others',
    'gets a warning.',
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(renderReference());
