// `npm run soak`: the long versions of two suites that `npm test` runs short.
//   - test/integration/bestrx-fuzz.test.ts: generated and mutated requests against the BestRx
//     listener (10,000 one at a time + 2,000 in concurrent batches by default);
//   - test/integration/crash-soak.test.ts (scripts/crash-soak.ts): rounds of 1,000 CreateOrders
//     at concurrency 50 with a SIGKILL at a random moment, a restart and a resend (20 rounds).
// Each count can be changed through the environment, e.g.
//   RXRELAY_FUZZ_RUNS=50000 RXRELAY_FUZZ_SEED=7 RXRELAY_CRASH_ROUNDS=5 npm run soak
//   npm run soak -- -t fuzz            (extra arguments go to vitest: here, the fuzz suite only)
// Variables: RXRELAY_FUZZ_RUNS, RXRELAY_FUZZ_SEED, RXRELAY_CRASH_ROUNDS, RXRELAY_CRASH_ORDERS,
// RXRELAY_CRASH_CONCURRENCY, RXRELAY_CRASH_SEED. A failure prints its seed (fast-check's, or
// the crash round's) and keeps the failed round's data folder.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const env = { ...process.env };
env.RXRELAY_FUZZ_RUNS ??= '10000';
env.RXRELAY_CRASH_ROUNDS ??= '20';
env.RXRELAY_CRASH_ORDERS ??= '1000';
env.RXRELAY_CRASH_CONCURRENCY ??= '50';

console.log(
  `soak: fuzz ${env.RXRELAY_FUZZ_RUNS} requests (+ batches), seed ${env.RXRELAY_FUZZ_SEED ?? 'default'}; ` +
    `crash ${env.RXRELAY_CRASH_ROUNDS} rounds × ${env.RXRELAY_CRASH_ORDERS} orders at concurrency ${env.RXRELAY_CRASH_CONCURRENCY}, seed ${env.RXRELAY_CRASH_SEED ?? 'default'}`,
);
const started = Date.now();
// One file after the other: on a small machine the two would compete for the CPU.
const result = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--no-file-parallelism', 'test/integration/bestrx-fuzz.test.ts', 'test/integration/crash-soak.test.ts', ...process.argv.slice(2)],
  { cwd: ROOT, env, stdio: 'inherit' },
);
console.log(`soak: ${result.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(result.status ?? 1);
