// Entry point of the load generator process (started by handshakes.bench.ts
// inside the benchmark's network namespace):
//   node --import tsx bench/handshakes/generator-main.ts '<LoadOptions as JSON>'
// Prints one JSON line: the LoadResult with the latencies summarised.

import { runLoad, type LoadOptions } from './generator.js';
import { percentile } from './stats.js';

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const result = await runLoad(options);
const { latenciesMs, ...rest } = result;
process.stdout.write(
  `${JSON.stringify({ ...rest, p50Ms: percentile(latenciesMs, 0.5), p99Ms: percentile(latenciesMs, 0.99) })}\n`,
);
// SAs abandoned at the deadline may still hold timers; the run is over.
process.exit(0);
