// Fuzzing the BestRx listener (issue 9, point 5): generated and mutated requests against
// CreateOrder, ValidateAddress, CancelOrder and the partners' webhook routes, over loopback HTTP
// against the real listener and SQLite (the in-process harness). For every request:
//   - never a 5xx, never a dropped connection, and the process keeps serving (a follow-up
//     request is answered);
//   - the BestRx routes answer in the envelope the spec defines, request_is_valid true only on 200;
//   - a refused request (any non-200) writes nothing: a fingerprint of the database (row counts
//     of every table, and SQLite's count of rows changed on the core's connection) is the same
//     after as before; an accepted CreateOrder adds exactly one order, or none for a repeat.
// Then batches of the same requests at once, checked for the same answers and for one order per
// (pharmacy, unique order id).
//
// How many: RXRELAY_FUZZ_RUNS requests in the one-at-a-time property (default 800) plus a fifth
// of that in concurrent batches (so ~1,000 in `npm test`); `npm run soak` runs 10,000+. The seed
// is fixed (RXRELAY_FUZZ_SEED, default below); fast-check prints the seed and path of a failure,
// and the shrunk request, so it can be replayed.
import { Agent, request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaryRxSimulator } from '../../src-main/core/sandbox/caryrx/caryrx-simulator';
import type { HoneybeeSimulator } from '../../src-main/core/sandbox/honeybee/honeybee-simulator';
import type { UnitedSimulator } from '../../src-main/core/sandbox/united/united-simulator';
import { envelopeProblems, fuzzRequest, messageCodes, sendFuzzRequest, type FuzzRequest, type FuzzResponse, type FuzzTarget } from '../helpers/bestrx-fuzz';
import { startHarness, TEST_CREDENTIALS, type Harness } from '../helpers/rxrelay-harness';

const RUNS = positiveInt(process.env.RXRELAY_FUZZ_RUNS, 800);
const SEED = Number.parseInt(process.env.RXRELAY_FUZZ_SEED ?? '', 10) || 0x5eed_9005;
const BATCH_RUNS = Math.max(2, Math.round(RUNS / 5 / 25));
/** Label images inlined in CreateOrder's answer: every Nth accepted order (rendering costs ~40 ms). */
const IMAGES_EVERY = 10;
const TIMEOUT_MS = 60_000 + RUNS * 60;

function positiveInt(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

let h: Harness;
let target: FuzzTarget;
let fingerprint: () => Record<string, number>;
const tally = new Map<string, number>();
let sent = 0;

beforeAll(async () => {
  h = await startHarness({ settings: { 'labels.inlineImages': false } });
  const url = new URL(h.baseUrl);
  const united = h.core.partners.united as UnitedSimulator | undefined;
  const honeybee = h.core.partners.honeybee as HoneybeeSimulator | undefined;
  const caryrx = h.core.partners.caryrx as CaryRxSimulator | undefined;
  // CaryRx's sandbox posts its two registration test payloads after start: let them land first,
  // so nothing but the fuzzer writes to the database from here on.
  let callbackToken: string | undefined;
  if (caryrx) {
    const deadline = Date.now() + 10_000;
    while (caryrx.callbackDeliveries().filter((d) => d.status === 200).length < 2) {
      if (Date.now() > deadline) throw new Error(`CaryRx's test payloads did not arrive: ${JSON.stringify(caryrx.callbackDeliveries())}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    callbackToken = new URL(caryrx.callbackDeliveries()[0]!.url).searchParams.get('token') ?? undefined;
  }
  await h.settle();
  target = {
    baseUrl: h.baseUrl,
    host: h.host,
    port: Number(url.port),
    auth: h.auth,
    credentials: TEST_CREDENTIALS,
    united: united ? { webhookSecret: united.webhookSecret } : undefined,
    honeybee: honeybee ? { staticSecret: honeybee.staticSecret, signingSecret: honeybee.signingSecret } : undefined,
    caryrx: callbackToken ? { callbackToken } : undefined,
  };
  const tables = h.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  // One statement: every table's row count, and total_changes() — every row inserted, updated
  // or deleted on the core's connection since it opened, so an UPDATE shows too.
  const statement = h.db.prepare(`SELECT ${tables.map((t) => `(SELECT COUNT(*) FROM "${t}") AS "${t}"`).join(', ')}, total_changes() AS "(rows changed)"`);
  fingerprint = () => statement.get() as Record<string, number>;
}, 60_000);

afterAll(async () => {
  const answers = [...tally.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}×${n}`).join(' ');
  const time = [...timing.entries()].sort(([, a], [, b]) => b - a).map(([k, ms]) => `${k} ${Math.round(ms)}`).join(', ');
  process.stdout.write(
    `\nBestRx fuzz: ${sent} requests (${RUNS} one at a time, RXRELAY_FUZZ_RUNS; ${BATCH_RUNS} batches), seed ${SEED} (RXRELAY_FUZZ_SEED)\n` +
      `  answers: ${answers}\n  time (ms): ${time}\n`,
  );
  healthAgent.destroy();
  await h?.stop();
});

const timing = new Map<string, number>();
const timed = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
  const start = performance.now();
  try {
    return await run();
  } finally {
    timing.set(name, (timing.get(name) ?? 0) + performance.now() - start);
  }
};

async function send(r: FuzzRequest): Promise<FuzzResponse> {
  sent += 1;
  const start = performance.now();
  const response = await sendFuzzRequest(h.baseUrl, r);
  const key = `${r.route} ${response.status}`;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  timing.set(key, (timing.get(key) ?? 0) + performance.now() - start);
  return response;
}

/** Any answer below 500, and on the BestRx routes the envelope. */
function expectWellFormed(r: FuzzRequest, response: FuzzResponse): void {
  const what = `${fc.stringify(r)}\n  → ${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, what).toBeGreaterThanOrEqual(200);
  expect(response.status, what).toBeLessThan(500);
  if (r.route === 'webhook' && response.json !== undefined && !isEnvelope(response.json)) {
    // The webhook handler answers in the partner's terms ({ received } / { error }); fastify's
    // own refusals on that route (413, 415, bad JSON) come from the shared error handler.
    expect(typeof response.json, what).toBe('object');
  } else {
    expect(envelopeProblems(response), what).toEqual([]);
  }
}

const isEnvelope = (json: unknown) => typeof json === 'object' && json !== null && 'request_is_valid' in json;

const healthAgent = new Agent({ keepAlive: true, maxSockets: 1 });

/** The listener still answers, and still reads the database (an unknown tracking id: 404 in the envelope). */
async function expectServing(): Promise<void> {
  const health = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(`${h.baseUrl}/track/FUZZ-HEALTH`, { agent: healthAgent, headers: { authorization: h.auth } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
  expect(health.status, health.text).toBe(404);
  expect(health.text).toContain('ORDER_NOT_FOUND');
}

const PARTNER_TABLES = ['partner_dispatches', 'partner_inbox', 'partner_prescriptions', 'partner_patients'];

/** What an answer allows to have changed in the database. */
function expectWrites(r: FuzzRequest, response: FuzzResponse, before: Record<string, number>, after: Record<string, number>): void {
  const delta = (table: string) => (after[table] ?? 0) - (before[table] ?? 0);
  const why = `${r.route} ${response.status} ${messageCodes(response).join(',')}`;
  const accepted = response.status === 200;
  if (!accepted || r.route === 'validate' || r.route === 'stray') {
    expect(after, `refused or read-only (${why}) but the database changed`).toEqual(before);
    return;
  }
  if (r.route === 'create') {
    const codes = messageCodes(response);
    if (codes.includes('ORDER_ALREADY_RECEIVED')) {
      expect(after, `a repeat (${why}) changed the database`).toEqual(before);
      return;
    }
    const created = !codes.includes('ORDER_UPDATED');
    expect({ orders: delta('orders'), keys: delta('idempotency_keys'), events: delta('order_events'), pushes: delta('status_pushes') }, why).toEqual({
      orders: created ? 1 : 0,
      keys: created ? 1 : 0,
      events: 1,
      pushes: 0,
    });
  } else if (r.route === 'cancel') {
    expect({ orders: delta('orders'), keys: delta('idempotency_keys') }, why).toEqual({ orders: 0, keys: 0 });
    expect(delta('order_events'), why).toBeLessThanOrEqual(1);
    expect(delta('status_pushes'), why).toBeLessThanOrEqual(1);
  } else {
    // A partner's event, authentic and well formed: into the partner's tables only (no order
    // here was handed to a partner, so nothing is applied to an order).
    expect({ orders: delta('orders'), keys: delta('idempotency_keys'), events: delta('order_events'), pushes: delta('status_pushes') }, why).toEqual({ orders: 0, keys: 0, events: 0, pushes: 0 });
  }
  for (const table of Object.keys(after)) {
    if (r.route !== 'webhook' && PARTNER_TABLES.includes(table)) expect(delta(table), `${why}: ${table}`).toBe(0);
    // An amendment replaces an order's parts (prescriptions, items, consents); nothing else shrinks.
    if (!table.startsWith('order_') || table === 'order_events') expect(delta(table), `${why}: ${table} lost rows`).toBeGreaterThanOrEqual(0);
  }
}

let acceptedCreates = 0;
let imagesOn = false;

/** Every IMAGES_EVERY-th accepted CreateOrder renders its label inline, so odd text reaches the renderer too. */
async function chooseImages(): Promise<void> {
  const want = acceptedCreates % IMAGES_EVERY === IMAGES_EVERY - 1;
  if (want === imagesOn) return;
  const reply = await h.core.appApi.call('settings.update', { inline_label_images: want }, { actor: 'fuzz' });
  expect(reply.ok).toBe(true);
  imagesOn = want;
}

async function checkOne(r: FuzzRequest): Promise<void> {
  await timed('images', chooseImages);
  const before = await timed('fp', fingerprint);
  const response = await send(r);
  expectWellFormed(r, response);
  await timed('health', expectServing);
  if (response.status === 200) {
    if (r.route === 'create') acceptedCreates += 1;
    // A cancel's status push goes out in the background: let it finish before the next request's "before".
    await timed('settle', () => h.settle());
  }
  expectWrites(r, response, before, await timed('fp', fingerprint));
}

function expectOneOrderPerKey(): void {
  expect(h.db.prepare('SELECT COUNT(*) FROM orders').pluck().get()).toBe(h.db.prepare('SELECT COUNT(*) FROM idempotency_keys').pluck().get());
  expect(
    h.db.prepare('SELECT bestrx_pharmacy_id, bestrx_unique_order_id, COUNT(*) AS n FROM orders GROUP BY 1, 2 HAVING n > 1').all(),
  ).toEqual([]);
  expect(h.db.prepare('SELECT COUNT(*) FROM idempotency_keys k LEFT JOIN orders o ON o.id = k.order_id WHERE o.id IS NULL').pluck().get()).toBe(0);
}

describe('what the fuzzer found (kept as fixed cases)', () => {
  const base = (over: Partial<FuzzRequest>): FuzzRequest => ({
    route: 'create',
    method: 'POST',
    path: '/Order/CreateOrder',
    headers: { 'content-type': 'application/json', authorization: h.auth, host: h.host },
    setHost: true,
    body: Buffer.from('{}'),
    framing: 'length',
    notes: [],
    ...over,
  });

  it('refuses a request without a Host header in the envelope (Node alone answered a bare 400)', async () => {
    const before = fingerprint();
    const headers = { 'content-type': 'application/json', authorization: h.auth };
    const response = await sendFuzzRequest(h.baseUrl, base({ headers, setHost: false }));
    expect(response.status).toBe(403);
    expect(envelopeProblems(response)).toEqual([]);
    expect(messageCodes(response)).toEqual(['HOST_NOT_ALLOWED']);
    // A partner's webhook needs no Host: its signature is what counts.
    const webhook = await sendFuzzRequest(h.baseUrl, base({ route: 'webhook', path: '/webhooks/united', headers: { 'content-type': 'application/json' }, setHost: false }));
    expect(webhook.status).toBe(401);
    expect(fingerprint()).toEqual(before);
  });

  it('answers a path that is not valid percent-encoding in the envelope (fastify answered in its own shape)', async () => {
    for (const path of ['/%ff', '/Order/CreateOrder%', '/Order/%E0%A4%A']) {
      const response = await sendFuzzRequest(h.baseUrl, base({ path }));
      expect(response.status, path).toBe(404);
      expect(envelopeProblems(response), path).toEqual([]);
      expect(messageCodes(response), path).toEqual(['NOT_FOUND']);
    }
  });
});

describe('the BestRx listener under generated requests', () => {
  it(
    `answers ${RUNS} requests one at a time: below 500, in the envelope, nothing stored from a refusal`,
    async () => {
      await fc.assert(fc.asyncProperty(fuzzRequest(target), checkOne), { numRuns: RUNS, seed: SEED });
      expectOneOrderPerKey();
    },
    TIMEOUT_MS,
  );

  it(
    `answers ${BATCH_RUNS} batches of requests sent at once, one order per key`,
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fuzzRequest(target), { minLength: 10, maxLength: 40 }), async (batch) => {
          await h.settle();
          const before = fingerprint();
          const responses = await Promise.all(batch.map((r) => send(r)));
          batch.forEach((r, i) => expectWellFormed(r, responses[i]!));
          await expectServing();
          await h.settle();
          const after = fingerprint();
          const created = batch.filter((r, i) => {
            const codes = messageCodes(responses[i]!);
            return r.route === 'create' && responses[i]!.status === 200 && !codes.includes('ORDER_ALREADY_RECEIVED') && !codes.includes('ORDER_UPDATED');
          }).length;
          expect(after.orders! - before.orders!, 'orders created = CreateOrders answered as new').toBe(created);
          expectOneOrderPerKey();
        }),
        { numRuns: BATCH_RUNS, seed: SEED + 1 },
      );
    },
    TIMEOUT_MS,
  );

  it('leaves a sound database, and every status push the accepted requests caused reached BestRx', async () => {
    await h.settle();
    expect(h.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(h.db.pragma('foreign_key_check')).toEqual([]);
    expectOneOrderPerKey();
    // A cancel of an order made from odd but accepted input still makes a push BestRx accepts.
    expect(h.db.prepare(`SELECT state, last_http_status, last_error FROM status_pushes WHERE state <> 'delivered'`).all()).toEqual([]);
  });
});
