// The in-memory twin of UpdownRunner for unit and exchange tests: records
// each event and the verbs/environments the real runner would use, and
// runs nothing.

import { updownInvocations, type UpdownInvocation } from './updown-env.js';
import { wantsUpdown, type UpdownEvent, type UpdownPort } from './updown-event.js';

export interface RecordedUpdown {
  event: UpdownEvent;
  invocations: UpdownInvocation[];
}

export class RecordingUpdown implements UpdownPort {
  readonly events: RecordedUpdown[] = [];
  closed = false;

  notify(event: UpdownEvent): void {
    if (!wantsUpdown(event)) return;
    this.events.push({ event, invocations: updownInvocations(event, { path: '/usr/bin:/bin', interfaceName: 'test0' }) });
  }

  /** Every invocation the real runner would make, in order. */
  invocations(): UpdownInvocation[] {
    return this.events.flatMap((e) => e.invocations);
  }

  /** "up-client office 10.1.0.0/16 10.2.0.0/16", one line per invocation. */
  lines(): string[] {
    return this.events.flatMap(({ invocations }) =>
      invocations.map((i) => `${i.verb} ${i.env.PLUTO_CONNECTION} ${i.env.PLUTO_MY_CLIENT} ${i.env.PLUTO_PEER_CLIENT}`),
    );
  }

  async idle(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}
