// Entry point run by `ipsec verify` as `unshare --net node probe-main.js`:
// inside a fresh, empty network namespace that disappears with this
// process, it installs and removes throwaway SAs and prints what worked as
// JSON on stdout. The environment variable guard keeps it from ever running
// in the host's own namespace by accident.
import { probeKernel } from './probe.js';
import { XfrmBackend } from './xfrm/backend.js';

if (process.env.NODESWAN_PRIVATE_NETNS !== '1') {
  process.stderr.write('probe-main: refusing to run outside a private network namespace\n');
  process.exit(2);
}

const backend = new XfrmBackend();
try {
  process.stdout.write(`${JSON.stringify(await probeKernel(backend))}\n`);
} finally {
  await backend.close();
}
