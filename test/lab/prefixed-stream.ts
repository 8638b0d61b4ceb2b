// A stream that writes each whole line to a sink with a prefix, so the
// output of kernel-lab guests running side by side stays readable.

import { Writable } from 'node:stream';

export class PrefixedLines extends Writable {
  private partial = '';
  /** Everything written, unprefixed, for parsing after the run. */
  text = '';

  constructor(
    private readonly prefix: string,
    private readonly sink: NodeJS.WritableStream,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = chunk.toString();
    this.text += text;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.sink.write(`${this.prefix}${line}\n`);
    done();
  }

  flushPartial(): void {
    if (this.partial) this.sink.write(`${this.prefix}${this.partial}\n`);
    this.partial = '';
  }
}
