// A tiny seeded pseudo-random source for the simulators: the same seed gives the same demo
// orders, so a test (or a bug report) can replay exactly what the sandbox produced.
// Not for anything secret: ids and credentials come from node:crypto.

/** A function returning numbers in [0, 1), like Math.random. */
export type RandomSource = () => number;

/** mulberry32: 32 bits of state, passes the usual statistical smoke tests, one line of arithmetic. */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A whole number in [min, max], both included. */
export function integerBetween(random: RandomSource, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** True with the given probability (0..1). */
export function chance(random: RandomSource, probability: number): boolean {
  return random() < probability;
}

export function pickOne<T>(random: RandomSource, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pickOne needs at least one item');
  return items[Math.floor(random() * items.length)] as T;
}

/** `count` distinct items in random order (fewer if the list is shorter). */
export function pickSome<T>(random: RandomSource, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < count && pool.length > 0) {
    picked.push(pool.splice(Math.floor(random() * pool.length), 1)[0] as T);
  }
  return picked;
}
