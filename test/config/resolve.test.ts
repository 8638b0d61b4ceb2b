// %default, also= and alsoflip= semantics.
import { describe, expect, it } from 'vitest';
import { conf } from './helpers.js';

describe('%default and also=', () => {
  it('applies %default to every conn, the conn own settings winning', () => {
    const r = conf('conn %default\n\tikelifetime=1h\n\tkeyingtries=%forever\nconn a\n\tikelifetime=2h\nconn b\n');
    expect(r.lines).toEqual([]);
    expect(r.model?.conns.map((c) => [c.ikeLifetime, c.keyingTries])).toEqual([
      [7200, 0],
      [3600, 0],
    ]);
  });

  it('follows several also= transitively; later also= wins over earlier, own settings win over all', () => {
    const r = conf(
      'conn x\n\tlifetime=10m\n\tdpddelay=5s\nconn y\n\tlifetime=20m\n\talso=z\nconn z\n\treqid=7\nconn c\n\talso=x\n\talso=y\n\tdpddelay=9s\n',
    );
    expect(r.lines).toEqual([]);
    const c = r.model?.conns.find((k) => k.name === 'c');
    expect([c?.lifetime, c?.dpdDelay, c?.reqid]).toEqual([1200, 9, 7]);
  });

  it('an empty value clears a setting inherited from %default', () => {
    const r = conf('conn %default\n\tmark=5\nconn a\n\tmark=\n');
    expect(r.model?.conns[0]?.markIn).toBeUndefined();
  });

  it('alsoflip= swaps left and right', () => {
    const r = conf('conn base\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tleftsubnet=10.1.0.0/16\nconn flipped\n\talsoflip=base\n');
    const c = r.model?.conns.find((k) => k.name === 'flipped');
    expect(c?.local.host).toEqual({ kind: 'address', address: '192.0.2.2', family: 4 });
    expect(c?.remote.subnets[0]?.cidr).toBe('10.1.0.0/16');
  });

  it('reports an unknown also= target at the name, with a suggestion', () => {
    expect(conf('conn base\nconn c\n\talso=bsae\n').errorLines).toEqual(["3:7: error: also=bsae: no conn named 'bsae' (did you mean 'base'?)"]);
  });

  it('reports a circular also= chain once', () => {
    expect(conf('conn a\n\talso=b\nconn b\n\talso=c\nconn c\n\talso=a\n').errorLines).toEqual(['6:7: error: circular also=: a -> b -> c -> a']);
  });

  it('reports a conn that includes itself', () => {
    expect(conf('conn a\n\talso=a\n').errorLines).toEqual(['2:7: error: circular also=: a -> a']);
  });

  it('reports a duplicate conn name at the second header', () => {
    expect(conf('conn a\nconn b\nconn a\n').errorLines).toEqual(["3:6: error: duplicate conn name 'a' (first defined at /etc/ipsec.conf:1)"]);
  });

  it('warns when a keyword is set twice in one section', () => {
    expect(conf('conn a\n\tauto=add\n\tauto=start\n\tright=192.0.2.9\n').lines).toEqual(["3:2: warning: 'auto' is already set in this section at line 2; the later value wins"]);
  });
});
