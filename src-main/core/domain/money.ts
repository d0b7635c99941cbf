// Money is stored as integer cents: BestRx sends dollars as JSON numbers, and 32.15 + 65.24
// must not become 97.38999999999999 anywhere between the socket and the label.

/** Dollars (at most two decimals) to cents; undefined when the value has sub-cent precision. */
export function dollarsToCents(dollars: number): number | undefined {
  const cents = Math.round(dollars * 100);
  return Math.abs(cents - dollars * 100) < 1e-6 ? cents : undefined;
}

export function centsToDollars(cents: number): number {
  return cents / 100;
}

export function formatDollars(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
