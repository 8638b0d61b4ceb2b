// Waiting for an observable condition in the lab with a bounded deadline
// (for conditions that have no event to await).

/** Calls `probe` every `stepMs` until it returns a value (not undefined); throws naming `what` after `deadlineMs`. */
export async function pollUntil<T>(what: string | (() => string), deadlineMs: number, probe: () => Promise<T | undefined>, stepMs = 250): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= end) throw new Error(`timed out after ${deadlineMs} ms waiting for: ${typeof what === 'function' ? what() : what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
