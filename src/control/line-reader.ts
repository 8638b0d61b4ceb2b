// Splits a byte stream into newline-terminated lines with a length cap, so a
// client that never sends a newline cannot make the daemon buffer forever.

export class LineReader {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxLine: number) {}

  /** Returns complete lines; throws RangeError once a line exceeds the cap. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, i);
      if (this.size + piece.length > this.maxLine) throw new RangeError(`line longer than ${this.maxLine} bytes`);
      this.chunks.push(piece);
      lines.push(Buffer.concat(this.chunks).toString('utf8'));
      this.chunks = [];
      this.size = 0;
      start = i + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.size + rest.length > this.maxLine) throw new RangeError(`line longer than ${this.maxLine} bytes`);
      this.chunks.push(rest);
      this.size += rest.length;
    }
    return lines;
  }
}
