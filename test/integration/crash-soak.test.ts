// The crash soak (scripts/crash-soak.ts) in short: RxRelay's headless build takes CreateOrders
// at concurrency 50 (10% repeats of an earlier key), acknowledgements and cancels, is SIGKILLed
// at a random moment, restarted, and sent again everything it had not acknowledged; then no
// acknowledged order is lost, none is duplicated, the database is sound and BestRx heard each
// status once after dedupe. `npm test` runs 2 rounds of 200 orders; `npm run soak` runs many
// rounds of 1,000 (RXRELAY_CRASH_ROUNDS, RXRELAY_CRASH_ORDERS, RXRELAY_CRASH_CONCURRENCY,
// RXRELAY_CRASH_SEED).
import { expect, it } from 'vitest';
import { runCrashSoak } from '../../scripts/crash-soak';

function positiveInt(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

const ROUNDS = positiveInt(process.env.RXRELAY_CRASH_ROUNDS, 2);
const ORDERS = positiveInt(process.env.RXRELAY_CRASH_ORDERS, 200);
const CONCURRENCY = positiveInt(process.env.RXRELAY_CRASH_CONCURRENCY, 50);
const SEED = positiveInt(process.env.RXRELAY_CRASH_SEED, 20261121);

it(
  `loses and duplicates nothing across ${ROUNDS} SIGKILLs under ${ORDERS} CreateOrders at concurrency ${CONCURRENCY}`,
  async () => {
    const report = await runCrashSoak({
      rounds: ROUNDS,
      orders: ORDERS,
      concurrency: CONCURRENCY,
      seed: SEED,
      log: (line) => process.stdout.write(`crash soak: ${line}\n`),
    });
    expect(report.rounds).toHaveLength(ROUNDS);
    // Every round's kill landed mid-load, and the resend had something to do.
    for (const round of report.rounds) expect(round.resent).toBeGreaterThan(0);
  },
  // The build (~5–20 s) and each round (~10–20 s at 200 orders; ~30–60 s at 1,000).
  60_000 + ROUNDS * Math.max(30_000, ORDERS * 120),
);
