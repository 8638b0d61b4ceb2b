// `ipsec start --nofork`, the systemd way: signals, journald log format, sd_notify.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { office, useCliEnv } from '../daemon/fixtures/cli-env.js';
import { Output, exitOf, spawnForeground, spawnForegroundAsJournal } from '../daemon/fixtures/run-ipsec.js';

const env = useCliEnv();

describe('ipsec start --nofork (the systemd way)', () => {
  it('SIGTERM calls engine shutdown and exits 0; SIGHUP reloads', async () => {
    // An inherited JOURNAL_STREAM that is not our stdout: keep timestamps.
    const child = spawnForeground(env.flags, { JOURNAL_STREAM: '9:999' });
    env.started.push(child.pid!);
    const out = new Output(child.stdout!);
    await out.waitFor(/\[DMN\] nodeswan started/);
    env.writeConfig([office]);
    child.kill('SIGHUP');
    await out.waitFor(/\[CFG\] reloaded configuration added=\[\] removed=\[legacy\] changed=\[\]/);
    child.kill('SIGTERM');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    expect(out.text).toMatch(/\[DMN\] shutting down reason=SIGTERM\n.*\[IKE\] test engine shutdown called/);
    expect(out.text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z 1\[/);
    expect(existsSync(join(env.dir, 'run', 'nodeswan.pid'))).toBe(false);
    expect(existsSync(join(env.dir, 'run', 'nodeswan.ctl'))).toBe(false);
  });

  it('logs without timestamps and with priorities under journald', async () => {
    const child = spawnForegroundAsJournal(env.flags);
    env.started.push(child.pid!);
    const out = new Output(child.stdout!);
    await out.waitFor(/nodeswan started/);
    child.kill('SIGINT');
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    const lines = out.text.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^<[3-7]>\d\[[A-Z]{3}\] /);
  });

  it('sends READY=1 once serving and STOPPING=1 on shutdown to NOTIFY_SOCKET', async () => {
    const notifyPath = join(env.dir, 'notify');
    // A stand-in for systemd's notification socket (Node has no unix
    // datagram sockets): prints each message and honours BARRIER=1 by
    // closing the fd it carries, as systemd does.
    const receiver = spawn(
      'python3',
      [
        '-c',
        `
import socket, os, array, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('bound', flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array('i'); fds.frombytes(data[:len(data) - len(data) % 4])
            for fd in fds: os.close(fd)
    print(msg.decode().replace('\\n', ' '), flush=True)
`,
        notifyPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const got = new Output(receiver.stdout!);
      await got.waitFor(/bound/);
      const child = spawnForeground(env.flags, { NOTIFY_SOCKET: notifyPath });
      env.started.push(child.pid!);
      await got.waitFor(/READY=1/);
      // Ready means serving: the control socket answers right away.
      expect((await env.statusJson()).daemon.pid).toBe(child.pid);
      child.kill('SIGTERM');
      await got.waitFor(/STOPPING=1/);
      expect(await exitOf(child)).toEqual({ code: 0, signal: null });
      expect(got.text).toMatch(/READY=1 STATUS=listening on 2 sockets/);
    } finally {
      receiver.kill('SIGKILL');
    }
  });
});
