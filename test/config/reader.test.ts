// Layout rules of ipsec.conf: sections, comments, quotes, includes, line ends.
import { describe, expect, it } from 'vitest';
import { conf } from './helpers.js';

describe('ipsec.conf layout', () => {
  it('reads config setup, conn and ca sections with comments after headers and values', () => {
    const r = conf('version 2\nconfig setup # global\n\tuniqueids=no # why\n\nconn a # first\n\tleft=192.0.2.1 # me\n\tright=198.51.100.1\n\nca root\n\tcacert=root.pem\n');
    expect(r.lines).toEqual([expect.stringMatching(/^10:2: warning: 'cacert' is not supported by nodeswan yet/)]);
    expect(r.model?.setup.uniqueIds).toBe('no');
    expect(r.model?.conns.map((c) => c.name)).toEqual(['a']);
    expect(r.model?.cas[0]?.cacert).toBe('root.pem');
  });

  it('keeps spaces and # inside double quotes', () => {
    const r = conf('conn a\n\tleftid="C=CH, O=Example # 1, CN=gw"\n');
    expect(r.lines).toEqual([]);
    expect(r.model?.conns[0]?.local.id).toBe('C=CH, O=Example # 1, CN=gw');
  });

  it('accepts CRLF, tabs, trailing spaces and no final newline', () => {
    const r = conf('conn a\r\n\tleft=192.0.2.1   \r\n  \tright=198.51.100.1\t\r\n\tauto=add');
    expect(r.lines).toEqual([]);
    expect(r.model?.conns[0]?.auto).toBe('add');
    expect(r.model?.conns[0]?.remote.host).toEqual({ kind: 'address', address: '198.51.100.1', family: 4 });
  });

  it('accepts spaces around = and empty values', () => {
    const r = conf('conn %default\n\tleftsubnet=10.0.0.0/8\nconn a\n\tleft = 192.0.2.1\n\tleftsubnet=\n');
    expect(r.lines).toEqual([]);
    expect(r.model?.conns[0]?.local.subnets).toEqual([{ cidr: '192.0.2.1/32', family: 4, protocol: 0 }]);
  });

  it('joins a list written with spaces after its commas, but a bare value with spaces is an error', () => {
    const r = conf('conn a\n\tleftsubnet=10.0.0.0/8, 10.1.0.0/16 ,10.2.0.0/16\n\tleftid=CN=My Server\n\tleftsubnets={10.5.0.0/24 10.6.0.0/24}\n');
    expect(r.errorLines).toEqual(["3:15: error: unexpected 'Server' after leftid=CN=My: a value containing spaces must be enclosed in double quotes"]);
    expect(r.model?.conns[0]?.local.subnets.map((s) => s.cidr)).toEqual(['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16', '10.5.0.0/24', '10.6.0.0/24']);
  });

  it('reports an unterminated quote at the line and column where it opens', () => {
    expect(conf('conn a\n\tleft=192.0.2.1\n\tleftid="CN=x\n\tright=198.51.100.1\n').errorLines).toEqual(['3:9: error: unterminated quoted value: the " opened here is never closed']);
  });

  it('reports two settings on one line, a missing =, and an indented header', () => {
    const r = conf('conn a\n\tleft=192.0.2.1 right=198.51.100.1\n\tauto add\n  conn b\n');
    expect(r.errorLines.map((l) => l.split(': ').slice(0, 2).join(': '))).toEqual(['2:17: error', '3:2: error', '4:3: error']);
    expect(r.errorLines[0]).toContain("two settings on one line ('right=' follows 'left=...')");
    expect(r.errorLines[1]).toContain("missing '=' after 'auto'");
    expect(r.errorLines[2]).toContain("section header 'conn' must start at column 1");
  });

  it('suggests the section keyword for a misspelt header', () => {
    const r = conf('connn a\n\tleft=192.0.2.1\nconn b\n');
    expect(r.errorLines).toEqual(["1:1: error: unknown section keyword 'connn' (did you mean 'conn'?)"]);
    expect(r.model?.conns.map((c) => c.name)).toEqual(['b']);
  });

  it('reports a capitalised section keyword', () => {
    expect(conf('Conn a\n\tleft=192.0.2.1\n').errorLines).toEqual(["1:1: error: 'Conn' must be written in lowercase: 'conn'"]);
  });

  it('reports a parameter before any section once, at its line', () => {
    expect(conf('\n# c\nleft=192.0.2.1\nright=198.51.100.1\nconn a\n').errorLines).toEqual([
      "3:1: error: 'left=' appears before any section; put it under 'config setup' or a 'conn NAME' header",
    ]);
  });

  it('includes files relative to the including file, with globs; a glob matching nothing is fine', () => {
    const r = conf('config setup\ninclude ipsec.d/*.conf\ninclude ipsec.d/none-*.conf\n', {
      '/etc/ipsec.d/b.conf': 'conn b\n\tleft=192.0.2.2\n',
      '/etc/ipsec.d/a.conf': 'conn a\n\tleft=192.0.2.1\ninclude sub/x.conf\n',
      '/etc/ipsec.d/sub/x.conf': 'conn x\n\tleft=192.0.2.3\n',
    });
    expect(r.lines).toEqual([]);
    expect(r.model?.conns.map((c) => c.name)).toEqual(['a', 'x', 'b']);
  });

  it('reports a missing include file (no wildcard) at the file name, with the included file name in later messages', () => {
    const r = conf('include missing.conf\ninclude other.conf\n', { '/etc/other.conf': 'conn o\n\tauto=bogus\n' });
    expect(r.lines[0]).toBe("1:9: error: cannot include 'missing.conf': no such file");
    expect(r.lines[1]).toMatch(/^\/etc\/other\.conf:2:7: error: auto=: invalid value 'bogus'/);
  });

  it('lists problems of the main file before those of included files', () => {
    const r = conf('include inc.conf\nconn a\n\tauto=bad\n', { '/etc/inc.conf': 'conn b\n\tauto=worse\n' });
    expect(r.lines.map((l) => l.split(': error')[0])).toEqual(['3:7', '/etc/inc.conf:2:7']);
  });

  it('stops include loops', () => {
    const r = conf('include ipsec.conf\n');
    expect(r.errors).toBeGreaterThan(0);
    expect(r.lines.join('\n')).toContain('nested more than 10 deep');
  });
});
