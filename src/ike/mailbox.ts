// One IKE SA handles one message (or timer, or command) at a time. Handlers
// are async because the kernel backend is, and await points would otherwise
// interleave two messages' effects on the same SA. The mailbox is a promise
// chain: each job starts when the previous one settled, and a job that
// throws does not block the ones queued behind it.

export class Mailbox {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Queue `job`; the returned promise settles with the job's own result. */
  post<T>(job: () => Promise<T> | T): Promise<T> {
    this.queued++;
    const run = this.tail.then(job);
    this.tail = run.then(
      () => this.queued--,
      () => this.queued--,
    );
    return run;
  }
  /** Jobs queued or running. */
  get depth(): number {
    return this.queued;
  }
  /** Resolves once every job queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
