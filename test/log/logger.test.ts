import { describe, expect, it } from 'vitest';
import { fstatSync } from 'node:fs';
import { Logger, createMemoryLogger, createStreamLogger, isJournalStream } from '../../src/log/logger.js';
import { parseCharonDebug, parsePlutoDebug, uniformLevels } from '../../src/log/levels.js';
import { SECRET_TAG } from '../../src/log/redact.js';

// Shaped like the config layer's Secret: the value lives in a private field
// and only an explicit call reveals it.
class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '<hidden>';
  }
  toJSON(): string {
    return '<hidden>';
  }
}

describe('log levels', () => {
  it('parses charondebug pairs and any', () => {
    const l = parseCharonDebug('ike 2, knl 1 cfg -1');
    expect(l.ike).toBe(2);
    expect(l.knl).toBe(1);
    expect(l.cfg).toBe(-1);
    expect(l.net).toBe(1);
    expect(parseCharonDebug('any 0, ike 4').ike).toBe(4);
    expect(parseCharonDebug('any 0, ike 4').net).toBe(0);
  });

  it('rejects bad charondebug with the valid choices', () => {
    expect(() => parseCharonDebug('ikee 2')).toThrow(/unknown subsystem 'ikee' \(valid: any, dmn/);
    expect(() => parseCharonDebug('ike 7')).toThrow(/level '7' is not one of/);
    expect(() => parseCharonDebug('ike')).toThrow(/pairs/);
  });

  it('maps plutodebug classes', () => {
    expect(parsePlutoDebug('none').ike).toBe(1);
    const l = parsePlutoDebug('base kernel');
    expect(l.knl).toBe(2);
    expect(l.ike).toBe(2);
    expect(l.net).toBe(1);
    expect(parsePlutoDebug('all').net).toBe(3);
    expect(() => parsePlutoDebug('everything')).toThrow(/unknown class 'everything'/);
  });
});

describe('Logger', () => {
  it('writes one line per event with subsystem, context and fields, filtered per subsystem', () => {
    const { logger, lines } = createMemoryLogger({ ...uniformLevels(1), ike: 2 });
    logger.for('ike', 'office|3').debug('sending IKE_SA_INIT', { to: '192.0.2.1[500]', size: 312 });
    logger.for('knl').debug('hidden at level 1');
    logger.for('knl').info('policy installed\nsecond line', { reqid: 1 });
    expect(lines).toEqual([
      '2[IKE] <office|3> sending IKE_SA_INIT to=192.0.2.1[500] size=312',
      '1[KNL] policy installed\\nsecond line reqid=1',
    ]);
  });

  it('uses ISO timestamps on a terminal and syslog priorities under journald', () => {
    const out: string[] = [];
    const stream = { write: (s: string) => out.push(s) };
    createStreamLogger(stream, {}).for('dmn').info('started');
    createStreamLogger(stream, { JOURNAL_STREAM: '8:1234' }, undefined, true).for('dmn').error('failed');
    expect(out[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 1\[DMN\] started\n$/);
    expect(out[1]).toBe('<3>0[DMN] failed\n');
  });

  it('never prints a secret or raw bytes, wherever they hide', () => {
    const psk = 'correct-horse-battery-staple';
    const { logger, lines } = createMemoryLogger(uniformLevels(4));
    const log = logger.for('cfg');
    const tagged = { [SECRET_TAG]: true, value: psk };
    log.info('loaded secret', { secret: new Secret(psk) });
    log.info('nested', { conn: { name: 'office', auth: { psk: new Secret(psk) } }, list: [new Secret(psk)] });
    log.info('plain string under a secret-looking name', { psk, sharedSecret: psk, password: psk });
    log.info('tagged object', { tagged });
    log.raw('buffers', { key: Buffer.from(psk), view: new Uint8Array(Buffer.from(psk)), ab: Buffer.from(psk).buffer });
    log.info('template', { text: `${new Secret(psk)}` });
    log.info('map and set', { m: new Map([['k', new Secret(psk)]]), s: new Set([Buffer.from(psk)]) });
    log.info(`message ${new Secret(psk)}`);
    const pem = `-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI${psk}\n-----END EC PRIVATE KEY-----`;
    log.error(`cannot parse ${pem}`, { text: pem });
    const all = lines.join('\n');
    expect(lines).toHaveLength(9);
    expect(lines[8]).toBe('0[CFG] <hidden: contains a private key> text="<hidden: contains a private key>"');
    expect(all).not.toContain(psk);
    expect(all).not.toContain(Buffer.from(psk).toString('hex'));
    expect(all).not.toContain(Buffer.from(psk).toString('base64'));
    expect(all).toContain('secret=<hidden>');
    expect(all).toMatch(/key=<\d+ bytes>/);
  });

  it('recognises the journal stream only when fd 1 is it', () => {
    const st = fstatSync(1);
    expect(isJournalStream({ JOURNAL_STREAM: `${st.dev}:${st.ino}` })).toBe(true);
    expect(isJournalStream({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1}` })).toBe(false);
    expect(isJournalStream({})).toBe(false);
  });

  it('taps see emitted (filtered, redacted) lines with their context until removed', () => {
    const { logger } = createMemoryLogger();
    const seen: string[] = [];
    const untap = logger.tap((line, sub, ctx) => seen.push(`${sub}|${ctx}|${line}`));
    logger.for('ike', 'office').info('up', { psk: 'x' });
    logger.for('ike').debug('filtered out');
    untap();
    logger.for('ike').info('after');
    expect(seen).toEqual(['ike|office|1[IKE] <office> up psk=<hidden>']);
  });

  it('silenced subsystems print nothing, even errors', () => {
    const out: string[] = [];
    const logger = new Logger({ sink: { write: (l) => out.push(l) }, levels: uniformLevels(-1) });
    logger.for('ike').error('x');
    expect(out).toEqual([]);
  });
});
