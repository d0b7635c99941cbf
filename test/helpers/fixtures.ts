import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bestrx');

/** The seed document's examples, verbatim (test/fixtures/bestrx/*.json). */
export function seedExample(name: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures are edited freely in tests
  return JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8'));
}

export function seedExampleText(name: string): string {
  return readFileSync(join(fixtureDir, `${name}.json`), 'utf8');
}

let nextUniqueId = 50_000;

/** The seed's CreateOrder with a fresh unique order id (and any overrides). */
export function createOrderBody(overrides: Record<string, unknown> = {}): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const body = seedExample('create-order.request');
  nextUniqueId += 1;
  return { ...body, bestrx_order_id: 900_000 + nextUniqueId, bestrx_unique_order_id: nextUniqueId, ...overrides };
}
