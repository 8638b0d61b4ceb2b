// The line protocol between a test and a backend driver running inside a
// namespace (see backend-driver.ts, remote-backend.ts): one JSON object per
// line; byte arrays travel as {"$bytes": base64}.

export interface DriverRequest {
  id: number;
  method: string;
  args: unknown[];
}

export type DriverMessage =
  | { id: number; result: unknown }
  | { id: number; error: { name: string; message: string; code?: string; errno?: string } }
  | { event: unknown }
  | { ready: true; pid: number };

export function encodeLine(value: unknown): string {
  return (
    JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
      const original = this[key];
      if (original instanceof Uint8Array) return { $bytes: Buffer.from(original).toString('base64') };
      return v;
    }) + '\n'
  );
}

export function decodeLine(line: string): unknown {
  return JSON.parse(line, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $bytes?: unknown }).$bytes === 'string') {
      return new Uint8Array(Buffer.from((v as { $bytes: string }).$bytes, 'base64'));
    }
    return v;
  });
}
