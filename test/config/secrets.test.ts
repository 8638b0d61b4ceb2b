// ipsec.secrets reader and the Secret wrapper that never prints its value.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { crossCheck } from '../../src/config/cross-check.js';
import { Diagnostics, formatDiagnostic } from '../../src/config/diagnostics.js';
import { loadConfig } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { maskedSecrets } from '../../src/config/secrets.js';
import { secrets } from './helpers.js';

describe('ipsec.secrets', () => {
  it('reads every selector and secret form', () => {
    const r = secrets(
      [
        '# comment',
        ': PSK "shared secret # not a comment"',
        '192.0.2.1 2001:db8::1 @moon.example.com : PSK \'single quoted\'',
        '%any %any6 : PSK 0x0102ff',
        '"C=CH, O=Example, CN=moon" : PSK 0sAQID',
        'carol@example.com : EAP "carol-pw"',
        'dave : XAUTH "dave-pw"',
        ': RSA moonKey.pem',
        ': RSA moonKey.pem "key pass"',
        ': ECDSA ecKey.pem %prompt',
        '@sun',
        '  : PSK "continued"',
        '',
      ].join('\n'),
    );
    expect(r.lines).toEqual([]);
    const e = r.model!.entries;
    expect(e.map((x) => [x.ids, x.type])).toEqual([
      [[], 'PSK'],
      [['192.0.2.1', '2001:db8::1', '@moon.example.com'], 'PSK'],
      [['%any', '%any6'], 'PSK'],
      [['C=CH, O=Example, CN=moon'], 'PSK'],
      [['carol@example.com'], 'EAP'],
      [['dave'], 'XAUTH'],
      [[], 'RSA'],
      [[], 'RSA'],
      [[], 'ECDSA'],
      [['@sun'], 'PSK'],
    ]);
    expect(e[0]?.secret?.reveal().toString()).toBe('shared secret # not a comment');
    expect(e[2]?.secret?.reveal()).toEqual(Buffer.from([1, 2, 255]));
    expect(e[3]?.secret?.reveal()).toEqual(Buffer.from([1, 2, 3]));
    expect(e[6]).toMatchObject({ file: 'moonKey.pem' });
    expect(e[6]?.secret).toBeUndefined();
    expect(e[7]?.secret?.reveal().toString()).toBe('key pass');
    expect(e[8]).toMatchObject({ file: 'ecKey.pem', prompt: true });
  });

  it('follows include with globs', () => {
    const r = secrets('include ipsec.d/*.secrets\n', 0o600, { '/etc/ipsec.d/a.secrets': ': PSK "a"\n', '/etc/ipsec.d/b.secrets': '@b : PSK "b"\n' });
    expect(r.model?.entries.map((x) => x.ids)).toEqual([[], ['@b']]);
  });

  it('warns when the file is readable by group or others', () => {
    expect(secrets(': PSK "x"\n', 0o644).lines).toEqual(["1:1: warning: secrets file is accessible by group or others (mode 0644); restrict it with 'chmod 600 /etc/ipsec.secrets'"]);
    expect(secrets(': PSK "x"\n', 0o640).warnings).toBe(1);
    expect(secrets(': PSK "x"\n', 0o600).warnings).toBe(0);
  });

  it('reports problems at their place without ever showing the secret', () => {
    const r = secrets('@a PSK "topsecret1"\n@b : PSX "topsecret2"\n@c : PSK "topsecret3\n@d : PSK 0xabc\n@e : PSK\n');
    expect(r.lines.map((l) => l.split(': ').slice(0, 2).join(': '))).toEqual(['1:1: error', '2:6: error', '3:10: error', '4:10: error', '5:6: error']);
    expect(r.lines.join('\n')).not.toMatch(/topsecret/);
  });
});

describe('Secret', () => {
  it('prints <hidden> in every form and compares in constant time', () => {
    const s = new Secret('hunter2');
    expect(String(s)).toBe('<hidden>');
    expect(`${s}`).toBe('<hidden>');
    expect(JSON.stringify({ s })).toBe('{"s":"<hidden>"}');
    expect(inspect({ s })).toBe("{ s: <hidden> }");
    expect(s.equals(new Secret('hunter2'))).toBe(true);
    expect(s.equals(Buffer.from('hunter3'))).toBe(false);
    expect(s.reveal().toString()).toBe('hunter2');
  });

  it('masked output keeps types and selectors only', () => {
    const r = secrets('@x : PSK "abc"\n');
    expect(maskedSecrets(r.model!)).toEqual([{ ids: ['@x'], type: 'PSK', secret: '<hidden>', source: '/etc/ipsec.secrets:1' }]);
  });
});

describe('ipsec.secrets, liberal forms', () => {
  it('accepts a colon glued to the last selector, and Libreswan raw RSA key blocks', () => {
    const r = secrets('@west @east: PSK "x"\n2001:db8:: : PSK "y"\n: RSA {\n\t# RSA 2048 bits\n\tModulus: 0x00ff\n\tPublicExponent: 0x03\n\t}\n');
    expect(r.lines).toEqual([]);
    expect(r.model?.entries.map((e) => [e.ids, e.type])).toEqual([
      [['@west', '@east'], 'PSK'],
      [['2001:db8::'], 'PSK'],
      [[], 'RSA'],
    ]);
    expect(r.model?.entries[2]?.secret).toBeDefined();
  });

  it('accepts an unquoted secret with a warning that does not show it', () => {
    const r = secrets(': PSK plainsecret\n');
    expect(r.lines).toEqual(['1:7: warning: secret is not quoted; write it as "..." (or 0x hex / 0s base64) so spaces and # cannot cut it short']);
    expect(r.model?.entries[0]?.secret?.reveal().toString()).toBe('plainsecret');
  });
});

describe('conns and secrets together', () => {
  const model = (text: string) => loadConfig('/etc/ipsec.conf', { text }).model!;
  const check = (confText: string, secretsText: string) => {
    const d = new Diagnostics();
    crossCheck(model(confText), secrets(secretsText).model!, d);
    return d.sorted().map(formatDiagnostic);
  };
  const CONN = 'conn office\n\tleft=192.0.2.1\n\tleftid=@hq.example.com\n\tright=198.51.100.1\n\tauthby=secret\n\tauto=start\n';

  it('finds the PSK by id, address, %any or an entry without selectors', () => {
    expect(check(CONN, 'hq.example.com : PSK "x"\n')).toEqual([]);
    expect(check(CONN, '198.51.100.1 : PSK "x"\n')).toEqual([]);
    expect(check(CONN, '%any : PSK "x"\n')).toEqual([]);
    expect(check(CONN, ': PSK "x"\n')).toEqual([]);
  });

  it('warns at the conn header when no PSK can match', () => {
    expect(check(CONN, '@other : PSK "x"\n: RSA key.pem\n')).toEqual([
      "/etc/ipsec.conf:1:1: warning: conn 'office' authenticates with a pre-shared key, but ipsec.secrets has no PSK for 'hq.example.com' or '192.0.2.1' or '198.51.100.1'",
    ]);
  });
});

describe('secrets never leak into diagnostics', () => {
  it.each([
    [': PSK my secret words\n', ['my', 'words']],
    [': "quoted-secret-no-type"\n', ['quoted-secret-no-type']],
    ['@a : 0x73656372657421\n', ['0x7365']],
    [': RSA key.pem pass phrase words\n', [' pass ', 'words']],
    ['@b : PSK "unterminated-secret\n', ['unterminated-secret']],
  ])('%j', (text, fragments) => {
    const r = secrets(text);
    expect(r.lines.length).toBeGreaterThan(0);
    for (const f of fragments) for (const l of r.lines) expect(l).not.toContain(f);
  });
});
