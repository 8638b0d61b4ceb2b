// Global setup of the e2e project: its tests program xfrm, start IPsec
// daemons and need a kernel with ESP, so they run only inside the kernel lab
// (`npm test`, or `npm run lab -- npx vitest run --project e2e`). Run
// directly on a host they would fail one by one with kernel errors, or touch
// the host's own state; refuse once, loudly, instead.
export default function requireKernelLab(): void {
  if (process.env.NODESWAN_LAB !== '1') {
    throw new Error(
      'the e2e project runs inside the kernel lab: use `npm test`, or `npm run lab -- npx vitest run --project e2e [files]`',
    );
  }
  if (process.getuid?.() !== 0) throw new Error('the e2e project needs root inside the kernel lab');
}
