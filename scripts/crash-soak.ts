// Crash soak (issue 9, point 6): RxRelay's headless build in a child process takes CreateOrders
// at high concurrency (a share of them repeats of an earlier key), staff acknowledgements and
// BestRx cancels (which make status pushes), and is SIGKILLed at a random moment. It is then
// restarted on the same data folder and every request that was not acknowledged is sent again
// as it was (same body = same key). Then, with the database opened through the repo's own
// openKeyedDatabase (encrypted, key from <data-dir>/rxrelay.key, as headless opens it):
//   - right after the kill: PRAGMA integrity_check is ok and every order acknowledged so far is
//     on disk under the provider_order_id it was acknowledged with;
//   - at the end: the same, plus no two orders for one (pharmacy, unique order id), every key
//     answered with one provider_order_id, every order's status pushes one chain (seq strictly
//     increasing, one push per status event, each delivered) matching what was asked of it, and
//     the BestRx simulator (in this process, with a few faults that make RxRelay retry and send
//     duplicates) received every pushed event at least once and, after dedupe by event,
//     exactly once, in order.
//
// Used by test/integration/crash-soak.test.ts (a couple of short rounds in `npm test`) and by
// `npm run soak` (many rounds of 1,000 orders: scripts/soak.mjs sets RXRELAY_CRASH_* for it).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { silentLogger } from '../src-main/core/logger';
import { createBestRxSimulator, type BestRxSimulator } from '../src-main/core/sandbox/bestrx/bestrx-simulator';
import { mulberry32, type RandomSource } from '../src-main/core/sandbox/seeded-random';
import { type SqliteDatabase } from '../src-main/core/storage/database';
import { headlessDatabaseKeySource, openKeyedDatabase } from '../src-main/core/storage/database-key';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const STATUS_CREDENTIALS = { username: 'rxrelay-soak', password: 'status-push-soak-password' };
const BESTRX = { username: 'bestrx-soak', password: 'bestrx-soak-password-123' };
const API_TOKEN = 'crash-soak-api-token-0123456789';
const PHARMACIES = ['ef0a4740-0be9-44f7-b89d-9e66eeba0b9a', '0b6c1f7e-3d2a-4c55-9a1e-6f0d2b8c4e11', '9d3e2a10-77b4-4f0c-8e21-5a6b7c8d9e0f'];
/** BestRx's status codes for what the soak asks of an order (the default code table). */
const STATUS_CODE = { acknowledged: '2', cancelled: '3' } as const;

export interface CrashSoakOptions {
  /** Rounds, each on a fresh data folder: load, SIGKILL, restart, resend, drain, check. Default 1. */
  rounds?: number;
  /** CreateOrder requests per round, repeats included. Default 1,000. */
  orders?: number;
  /** Requests in flight at once. Default 50. */
  concurrency?: number;
  /** Share of the CreateOrders that repeat an earlier key with the same body. Default 0.1. */
  duplicateShare?: number;
  /** Where the rounds' data folders go (one per round, removed when the round passes). Default: a temp folder. */
  dataDir?: string;
  /** Default 20261121; round n uses seed + n. */
  seed?: number;
  /** A built headless.js; default: buildHeadless() into a private folder, removed at the end. */
  headlessScript?: string;
  /** BestRx faults per round (500s, answers lost after recording), so pushes are retried and duplicated. Default true. */
  faults?: boolean;
  /** How long the outbox may take to drain after the resend. Default 90 s. */
  drainTimeoutMs?: number;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

export interface CrashRoundReport {
  round: number;
  seed: number;
  /** CreateOrder requests planned, and how many distinct keys they carry. */
  requests: number;
  keys: number;
  /** The kill came after this many acknowledged CreateOrders (+ a random few ms). */
  killAfterAcks: number;
  killDelayMs: number;
  acknowledgedBeforeKill: number;
  /** CreateOrders sent before the kill that got no answer (in flight at the kill). */
  unansweredAtKill: number;
  /** CreateOrders sent (again, or for the first time) after the restart. */
  resent: number;
  orders: number;
  statusEvents: number;
  /** Pushes the simulator accepted, duplicates included, and the duplicates among them. */
  pushesReceived: number;
  duplicatePushes: number;
  ms: { load: number; restart: number; resend: number; drain: number; total: number };
}

export interface CrashSoakReport {
  seed: number;
  rounds: CrashRoundReport[];
  ms: number;
}

export class CrashSoakFailure extends Error {
  constructor(
    readonly round: number,
    readonly seed: number,
    readonly dataDir: string,
    readonly problems: string[],
  ) {
    super(
      `crash soak round ${round} (seed ${seed}) failed; data kept in ${dataDir}:\n  - ${problems.slice(0, 40).join('\n  - ')}` +
        (problems.length > 40 ? `\n  … and ${problems.length - 40} more` : ''),
    );
    this.name = 'CrashSoakFailure';
  }
}

// ---- building and running the app ---------------------------------------------------------

/**
 * Builds the app's main-process entries (scripts/headless-build.config.ts) into a folder of
 * their own under out/, so a soak never rebuilds out/main under a test that is running it.
 */
export function buildHeadless(): { script: string; remove(): void } {
  const outDir = join(ROOT, 'out', `soak-${process.pid}-${Date.now().toString(36)}`);
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '-c', join(ROOT, 'scripts', 'headless-build.config.ts'), '--outDir', outDir, '--logLevel', 'error'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { script: join(outDir, 'main', 'headless.js'), remove: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** The Node flags `npm run serve` runs headless with (read from package.json, as the benchmark does). */
function serveNodeFlags(): string[] {
  const serve = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.serve ?? '';
  const flags = /\bnode((?:\s+--[\w-]+(?:=\S+)?)*)\s+out\/main\/headless\.js/.exec(serve);
  return flags?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

interface RunningApp {
  child: ChildProcess;
  bestrxUrl: string;
  uiUrl: string;
  agent: Agent;
  exited: Promise<number | null>;
}

function startApp(script: string, dataDir: string, simulator: BestRxSimulator, concurrency: number): Promise<RunningApp> {
  // Nothing RXRELAY_* from the caller's shell (a status URL, a sandbox switch) reaches the app.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('RXRELAY_')));
  const log = openSync(join(dataDir, 'soak-app.log'), 'a');
  const child = spawn(process.execPath, [...serveNodeFlags(), script, '--data-dir', dataDir, '--bestrx-port', '0', '--ui-port', '0'], {
    cwd: ROOT,
    env: {
      ...env,
      RXRELAY_STATUS_URL: simulator.statusUrl,
      RXRELAY_STATUS_USER: STATUS_CREDENTIALS.username,
      RXRELAY_STATUS_PASSWORD: STATUS_CREDENTIALS.password,
      RXRELAY_BESTRX_USER: BESTRX.username,
      RXRELAY_BESTRX_PASSWORD: BESTRX.password,
      RXRELAY_API_TOKEN: API_TOKEN,
    },
    stdio: ['ignore', 'pipe', log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return new Promise((resolveReady, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`RxRelay did not start within 30 s: ${output}`));
    }, 30_000);
    // Read stdout to the end (an unread pipe would block the app once it fills).
    child.stdout!.on('data', (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
      const ready = /ready: BestRx endpoint (\S+) \| UI (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolveReady({ child, bestrxUrl: ready[1]!, uiUrl: ready[2]!, agent: new Agent({ connections: concurrency + 8, keepAliveTimeout: 2_000 }), exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`RxRelay exited (${code}) before it was ready: ${output}\n${tail(join(dataDir, 'soak-app.log'))}`));
    });
  });
}

async function kill(app: RunningApp): Promise<void> {
  app.child.kill('SIGKILL');
  await app.exited;
  await app.agent.destroy();
}

async function stop(app: RunningApp): Promise<number | null> {
  app.child.kill('SIGTERM');
  const timer = setTimeout(() => app.child.kill('SIGKILL'), 15_000);
  const code = await app.exited;
  clearTimeout(timer);
  await app.agent.destroy();
  return code;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---- the requests -------------------------------------------------------------------------

type Op = 'acknowledge' | 'cancel';

interface Key {
  index: number;
  pharmacy: string;
  unique: number;
  orderId: number;
  body: string;
  /** What happens to the order once it is acknowledged: staff acknowledge it, BestRx cancels it. */
  ops: Op[];
}

interface KeyState {
  key: Key;
  /** The provider_order_id of the first acknowledged CreateOrder of this key. */
  providerOrderId?: string;
  /** How many of `ops` were acknowledged. */
  opsDone: number;
  /** An op was sent and its answer lost: look before doing it again. */
  opUncertain: boolean;
  opsRunning: boolean;
}

function planKeys(random: RandomSource, count: number, round: number): Key[] {
  const template = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'bestrx', 'create-order.request.json'), 'utf8')) as Record<string, unknown>;
  const keys: Key[] = [];
  for (let index = 0; index < count; index++) {
    // Each unique order id is used by two pharmacies: (pharmacy, unique id) is the key, not the id.
    const pharmacy = PHARMACIES[index % PHARMACIES.length]!;
    const unique = 1_000_000 * (round + 1) + Math.floor(index / 2);
    const orderId = 500_000_000 + 1_000_000 * round + index;
    const body = { ...template, bestrx_order_id: orderId, bestrx_unique_order_id: unique, store: { ...(template.store as object), bestrx_pharmacy_id: pharmacy } };
    const roll = random();
    const ops: Op[] = roll < 0.6 ? [] : roll < 0.85 ? ['acknowledge'] : roll < 0.95 ? ['cancel'] : ['acknowledge', 'cancel'];
    keys.push({ index, pharmacy, unique, orderId, body: JSON.stringify(body), ops });
  }
  return keys;
}

function shuffle<T>(random: RandomSource, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const basic = `Basic ${Buffer.from(`${BESTRX.username}:${BESTRX.password}`).toString('base64')}`;

async function post(app: RunningApp, url: string, body: string, authorization: string): Promise<{ status: number; json: unknown }> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: app.agent,
    headers: { authorization, 'content-type': 'application/json' },
    body,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // An answer that arrived whole but is not JSON is RxRelay's fault, not the network's.
    json = { unparsable: text.slice(0, 300) };
  }
  return { status: response.statusCode, json };
}

async function appApi<T>(app: RunningApp, method: string, input: object): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }> {
  const { json } = await post(app, `${app.uiUrl}api/${method}`, JSON.stringify(input), `Bearer ${API_TOKEN}`);
  return json as { ok: boolean; value?: T; error?: { code: string; message: string } };
}

/** One round's traffic against one running app: CreateOrders from a queue, each acknowledged key's ops after it. */
class Traffic {
  readonly states: KeyState[];
  /** Every acknowledged CreateOrder: which key, which provider_order_id. */
  acks = 0;
  answeredSends = new Set<number>();
  problems: string[] = [];
  private stopped = false;

  constructor(
    keys: Key[],
    readonly sends: number[],
  ) {
    this.states = keys.map((key) => ({ key, opsDone: 0, opUncertain: false, opsRunning: false }));
  }

  /** After a kill: every request in flight fails; nothing new starts. */
  halt(): void {
    this.stopped = true;
  }

  resume(): void {
    this.stopped = false;
  }

  /** Sends the queue's CreateOrders (send indices) with `concurrency` workers; a key's ops follow its first acknowledgement. */
  async run(app: RunningApp, queue: number[], concurrency: number, onAck?: () => void): Promise<{ sent: number[] }> {
    const sent: number[] = [];
    const worker = async () => {
      while (!this.stopped) {
        const send = queue.shift();
        if (send === undefined) return;
        sent.push(send);
        const state = this.states[this.sends[send]!]!;
        if (await this.createOrder(app, send, state)) {
          onAck?.();
          await this.runOps(app, state);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { sent };
  }

  /** Ops of acknowledged keys that are still outstanding (their CreateOrder was acknowledged before a kill). */
  async finishOps(app: RunningApp, concurrency: number): Promise<void> {
    const pending = this.states.filter((s) => s.providerOrderId !== undefined && s.opsDone < s.key.ops.length);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let state = pending.shift(); state && !this.stopped; state = pending.shift()) await this.runOps(app, state);
      }),
    );
  }

  private async createOrder(app: RunningApp, send: number, state: KeyState): Promise<boolean> {
    let answer: { status: number; json: unknown };
    try {
      answer = await post(app, `${app.bestrxUrl}/Order/CreateOrder`, state.key.body, basic);
    } catch {
      return false; // no answer: not acknowledged, sent again after the restart
    }
    const envelope = answer.json as { data?: { provider_order_id?: unknown }; messages?: Array<{ message_code: string }> };
    const id = envelope.data?.provider_order_id;
    if (answer.status !== 200 || typeof id !== 'string') {
      this.problems.push(`CreateOrder ${state.key.pharmacy}/${state.key.unique} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 300)}`);
      return false;
    }
    this.answeredSends.add(send);
    this.acks += 1;
    if (state.providerOrderId === undefined) state.providerOrderId = id;
    else if (state.providerOrderId !== id) {
      this.problems.push(`key ${state.key.pharmacy}/${state.key.unique} was acknowledged as ${state.providerOrderId} and again as ${id}`);
    }
    return true;
  }

  private async runOps(app: RunningApp, state: KeyState): Promise<void> {
    if (state.opsRunning) return; // a repeat of the key is already doing them
    state.opsRunning = true;
    try {
      while (state.opsDone < state.key.ops.length && !this.stopped) {
        const op = state.key.ops[state.opsDone]!;
        const done = op === 'acknowledge' ? await this.acknowledge(app, state) : await this.cancel(app, state);
        if (!done) return;
        state.opsDone += 1;
        state.opUncertain = false;
      }
    } finally {
      state.opsRunning = false;
    }
  }

  private async acknowledge(app: RunningApp, state: KeyState): Promise<boolean> {
    const id = state.providerOrderId!;
    try {
      if (state.opUncertain) {
        // Sent before a kill, answer lost: it may have been committed. Look before doing it again.
        const order = await appApi<{ status: string }>(app, 'orders.get', { id });
        if (!order.ok) {
          this.problems.push(`orders.get ${id}: ${JSON.stringify(order.error)}`);
          return false;
        }
        if (order.value!.status !== 'created') return true;
      }
      state.opUncertain = true;
      const result = await appApi(app, 'orders.transition', { id, to: 'acknowledged' });
      if (!result.ok) this.problems.push(`orders.transition ${id} → acknowledged: ${JSON.stringify(result.error)}`);
      return result.ok;
    } catch {
      return false;
    }
  }

  private async cancel(app: RunningApp, state: KeyState): Promise<boolean> {
    const { key } = state;
    try {
      state.opUncertain = true;
      // A repeated cancel is answered "already cancelled" and changes nothing: no need to look first.
      const body = JSON.stringify({ bestrx_order_id: key.orderId, bestrx_unique_order_id: key.unique, store: { bestrx_pharmacy_id: key.pharmacy }, notes: 'crash soak' });
      const answer = await post(app, `${app.bestrxUrl}/Order/CancelOrder`, body, basic);
      const accepted = answer.status === 200 && (answer.json as { data?: { status?: unknown } }).data?.status === true;
      if (!accepted) this.problems.push(`CancelOrder ${key.pharmacy}/${key.unique} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 300)}`);
      return accepted;
    } catch {
      return false;
    }
  }
}

// ---- checks -------------------------------------------------------------------------------

/** The round's database, opened as headless opens it (encrypted, key from the data folder). */
export function openSoakDatabase(dataDir: string): SqliteDatabase {
  return openKeyedDatabase({ file: join(dataDir, 'rxrelay.db'), keys: headlessDatabaseKeySource(dataDir, undefined), logger: silentLogger });
}

interface OrderRow {
  id: string;
  bestrx_pharmacy_id: string;
  bestrx_unique_order_id: number;
  status: string;
}

/** Every acknowledged order on disk under its acknowledged id; integrity ok. Returns problems. */
function checkAcknowledgedOrders(db: SqliteDatabase, traffic: Traffic, when: string): string[] {
  const problems: string[] = [];
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') problems.push(`${when}: PRAGMA integrity_check = ${String(integrity)}`);
  const foreignKeys = db.pragma('foreign_key_check') as unknown[];
  if (foreignKeys.length > 0) problems.push(`${when}: foreign_key_check: ${JSON.stringify(foreignKeys.slice(0, 5))}`);
  const byKey = new Map<string, string>();
  for (const row of db.prepare('SELECT bestrx_pharmacy_id, bestrx_unique_order_id, order_id FROM idempotency_keys').all() as Array<{ bestrx_pharmacy_id: string; bestrx_unique_order_id: number; order_id: string }>) {
    byKey.set(`${row.bestrx_pharmacy_id}/${row.bestrx_unique_order_id}`, row.order_id);
  }
  const orders = new Map((db.prepare('SELECT id, bestrx_pharmacy_id, bestrx_unique_order_id, status FROM orders').all() as OrderRow[]).map((o) => [o.id, o]));
  for (const { key, providerOrderId } of traffic.states) {
    if (providerOrderId === undefined) continue;
    const name = `${key.pharmacy}/${key.unique}`;
    const order = orders.get(providerOrderId);
    if (!order) problems.push(`${when}: acknowledged order ${providerOrderId} (${name}) is missing`);
    else if (order.bestrx_pharmacy_id !== key.pharmacy || order.bestrx_unique_order_id !== key.unique) problems.push(`${when}: order ${providerOrderId} belongs to ${order.bestrx_pharmacy_id}/${order.bestrx_unique_order_id}, acknowledged for ${name}`);
    if (byKey.get(name) !== providerOrderId) problems.push(`${when}: key ${name} names ${byKey.get(name) ?? 'no order'}, acknowledged as ${providerOrderId}`);
  }
  return problems;
}

interface PushRow {
  id: number;
  order_id: string;
  event_id: string;
  order_seq: number;
  status: string;
  status_code: string;
  state: string;
  payload_json: string;
}

interface EventRow {
  event_id: string;
  order_id: string;
  seq: number;
  to_status: string;
}

/** The whole round: orders and keys, outbox chains, and what BestRx received. */
function checkRound(db: SqliteDatabase, traffic: Traffic, simulator: BestRxSimulator): { problems: string[]; orders: number; statusEvents: number; received: number; duplicates: number } {
  const problems = checkAcknowledgedOrders(db, traffic, 'at the end');
  const orders = db.prepare('SELECT id, bestrx_pharmacy_id, bestrx_unique_order_id, status FROM orders').all() as OrderRow[];
  const keyCount = traffic.states.length;
  if (orders.length !== keyCount) problems.push(`${orders.length} orders for ${keyCount} keys`);
  for (const dup of db.prepare('SELECT bestrx_pharmacy_id AS p, bestrx_unique_order_id AS u, COUNT(*) AS n FROM orders GROUP BY 1, 2 HAVING n > 1').all() as Array<{ p: string; u: number; n: number }>) {
    problems.push(`${dup.n} orders for key ${dup.p}/${dup.u}`);
  }
  const unacknowledged = traffic.states.filter((s) => s.providerOrderId === undefined);
  if (unacknowledged.length > 0) problems.push(`${unacknowledged.length} keys never acknowledged, e.g. ${unacknowledged[0]!.key.pharmacy}/${unacknowledged[0]!.key.unique}`);

  const pushes = db
    .prepare('SELECT p.id, p.order_id, p.event_id, p.order_seq, p.status, p.status_code, p.state, b.payload_json FROM status_pushes p JOIN status_push_payloads b ON b.push_id = p.id ORDER BY p.order_id, p.order_seq')
    .all() as PushRow[];
  const events = db.prepare(`SELECT event_id, order_id, seq, to_status FROM order_events WHERE type = 'status_changed' ORDER BY order_id, seq`).all() as EventRow[];
  const pushesByOrder = groupBy(pushes, (p) => p.order_id);
  const eventsByOrder = groupBy(events, (e) => e.order_id);
  const eventIds = new Set<string>();
  for (const p of pushes) {
    if (eventIds.has(p.event_id)) problems.push(`event ${p.event_id} has two pushes`);
    eventIds.add(p.event_id);
    if (p.state !== 'delivered') problems.push(`push ${p.id} (${p.order_id} ${p.status}) is ${p.state}`);
  }

  // What each order was asked to go through, and what BestRx must have heard of it.
  const received = simulator.received();
  const receivedByOrder = groupBy(received, (r) => r.payload.provider_order_id);
  const orderIds = new Set(orders.map((o) => o.id));
  let duplicates = 0;
  for (const { key, providerOrderId: id } of traffic.states) {
    if (id === undefined) continue;
    const expected = key.ops.map((op) => (op === 'acknowledge' ? 'acknowledged' : 'cancelled'));
    const order = orders.find((o) => o.id === id);
    const finalStatus = expected.at(-1) ?? 'created';
    if (order && order.status !== finalStatus) problems.push(`order ${id} is ${order.status}, expected ${finalStatus}`);
    const chain = pushesByOrder.get(id) ?? [];
    const statusEvents = eventsByOrder.get(id) ?? [];
    if (chain.map((p) => p.status).join(',') !== expected.join(',')) problems.push(`order ${id}: pushes ${chain.map((p) => p.status).join(',') || '(none)'}, expected ${expected.join(',') || '(none)'}`);
    if (statusEvents.map((e) => e.event_id).join(',') !== chain.map((p) => p.event_id).join(',')) problems.push(`order ${id}: status events and pushes differ`);
    for (let i = 1; i < chain.length; i++) {
      if (!(chain[i]!.order_seq > chain[i - 1]!.order_seq && chain[i]!.id > chain[i - 1]!.id)) problems.push(`order ${id}: push chain out of order at ${chain[i]!.id}`);
    }
    for (const p of chain) {
      const event = statusEvents.find((e) => e.event_id === p.event_id);
      if (!event || event.seq !== p.order_seq || event.to_status !== p.status) problems.push(`order ${id}: push ${p.id} does not match its event ${p.event_id}`);
    }
    // BestRx's side: every push at least once; after dedupe by event (order, status, date), once each, in order.
    const expectedEvents = chain.map((p) => {
      const payload = JSON.parse(p.payload_json) as { order_status: { status_code: string; date: string } };
      return `${payload.order_status.status_code}@${payload.order_status.date}`;
    });
    const arrived = (receivedByOrder.get(id) ?? []).map((r) => `${r.payload.order_status.status_code}@${r.payload.order_status.date}`);
    const distinct = [...new Set(arrived)];
    duplicates += arrived.length - distinct.length;
    if (distinct.join(' ') !== expectedEvents.join(' ')) problems.push(`order ${id}: BestRx received ${arrived.join(' ') || '(nothing)'}, expected ${expectedEvents.join(' ') || '(nothing)'}`);
    const codes = expected.map((s) => STATUS_CODE[s as keyof typeof STATUS_CODE]);
    const heard = distinct.map((e) => e.split('@')[0]).join(',');
    if (heard !== codes.join(',')) problems.push(`order ${id}: BestRx heard status codes ${heard || '(none)'}, expected ${codes.join(',') || '(none)'}`);
  }
  for (const id of receivedByOrder.keys()) if (!orderIds.has(id)) problems.push(`BestRx received a push for ${id}, which is no order`);
  return { problems, orders: orders.length, statusEvents: events.length, received: received.length, duplicates };
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

// ---- a round ------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

async function drain(app: RunningApp, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outbox = await appApi<{ counts: Record<string, number> }>(app, 'outbox.list', { limit: 1 });
    if (!outbox.ok) return [`outbox.list: ${JSON.stringify(outbox.error)}`];
    const counts = outbox.value!.counts;
    if ((counts.dead ?? 0) > 0) return [`${counts.dead} pushes given up: ${JSON.stringify(counts)}`];
    if ((counts.pending ?? 0) === 0) return [];
    if (Date.now() > deadline) return [`pushes still pending after ${timeoutMs} ms: ${JSON.stringify(counts)}`];
    await sleep(100);
  }
}

async function runRound(round: number, seed: number, dataDir: string, script: string, simulator: BestRxSimulator, options: Required<Omit<CrashSoakOptions, 'dataDir' | 'headlessScript' | 'log' | 'rounds' | 'seed'>>, log: (line: string) => void): Promise<CrashRoundReport> {
  const started = Date.now();
  const random = mulberry32(seed);
  const duplicates = Math.round(options.orders * options.duplicateShare);
  const keys = planKeys(random, options.orders - duplicates, round);
  const sends = shuffle(random, [...keys.map((k) => k.index), ...Array.from({ length: duplicates }, () => Math.floor(random() * keys.length))]);
  const traffic = new Traffic(keys, sends);
  // Somewhere between 10% and 60% of the way, then a few ms more: always mid-load, with
  // requests (CreateOrders, acknowledgements, cancels) and pushes in flight.
  const killAfterAcks = Math.max(1, Math.floor(sends.length * (0.1 + 0.5 * random())));
  const killDelayMs = Math.floor(random() * 10);

  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // As the benchmark does: no label images inlined in CreateOrder's answer (~40 ms of CPU per order).
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({ 'labels.inlineImages': false }), { mode: 0o600 });
  simulator.reset();
  if (options.faults) {
    // The first pushes meet a flaky BestRx: answers lost after recording (duplicates) and 500s (retries).
    simulator.faults.next({ kind: 'drop', afterRecording: true, times: 1 + Math.floor(random() * 3) });
    simulator.faults.next({ kind: 'http-500', times: 1 + Math.floor(random() * 3) });
    simulator.faults.next({ kind: 'drop', times: 1 });
  }

  // 1. Load, and the kill.
  let app = await startApp(script, dataDir, simulator, options.concurrency);
  const loadStarted = Date.now();
  let killing: Promise<void> | undefined;
  const onAck = () => {
    if (traffic.acks >= killAfterAcks && !killing) {
      const running = app;
      killing = sleep(killDelayMs).then(() => {
        traffic.halt();
        return kill(running);
      });
    }
  };
  const firstQueue = [...sends.keys()];
  const { sent } = await traffic.run(app, firstQueue, options.concurrency, onAck);
  // All sent before the kill threshold was reached: kill now, with pushes perhaps in flight.
  killing ??= sleep(killDelayMs).then(() => {
    traffic.halt();
    return kill(app);
  });
  await killing;
  const loadMs = Date.now() - loadStarted;
  const acknowledgedBeforeKill = traffic.answeredSends.size;
  const unansweredAtKill = sent.filter((s) => !traffic.answeredSends.has(s)).length;

  const problems = [...traffic.problems];
  traffic.problems = [];
  // Right after the kill: what was acknowledged is on disk, and the database is sound.
  {
    const db = openSoakDatabase(dataDir);
    try {
      problems.push(...checkAcknowledgedOrders(db, traffic, 'after the kill'));
    } finally {
      db.close();
    }
  }

  // 2. Restart on the same folder; every CreateOrder not acknowledged is sent again, as it was.
  const restartStarted = Date.now();
  app = await startApp(script, dataDir, simulator, options.concurrency);
  const restartMs = Date.now() - restartStarted;
  traffic.resume();
  const resendStarted = Date.now();
  const again = [...sends.keys()].filter((s) => !traffic.answeredSends.has(s));
  await Promise.all([traffic.run(app, [...again], options.concurrency), traffic.finishOps(app, Math.max(1, Math.floor(options.concurrency / 5)))]);
  // A key whose ops were left to a repeat that was answered before the kill: finish them now.
  await traffic.finishOps(app, options.concurrency);
  const resendMs = Date.now() - resendStarted;

  // 3. Let the outbox drain, stop the app, and look at everything.
  const drainStarted = Date.now();
  problems.push(...(await drain(app, options.drainTimeoutMs)));
  const drainMs = Date.now() - drainStarted;
  const exitCode = await stop(app);
  if (exitCode !== 0) problems.push(`RxRelay exited with ${exitCode} on SIGTERM`);
  problems.push(...traffic.problems);
  const db = openSoakDatabase(dataDir);
  let result: ReturnType<typeof checkRound>;
  try {
    result = checkRound(db, traffic, simulator);
  } finally {
    db.close();
  }
  problems.push(...result.problems);
  if (problems.length > 0) throw new CrashSoakFailure(round, seed, dataDir, [...problems, `app log: ${join(dataDir, 'soak-app.log')}`]);

  const report: CrashRoundReport = {
    round,
    seed,
    requests: sends.length,
    keys: keys.length,
    killAfterAcks,
    killDelayMs,
    acknowledgedBeforeKill,
    unansweredAtKill,
    resent: again.length,
    orders: result.orders,
    statusEvents: result.statusEvents,
    pushesReceived: result.received,
    duplicatePushes: result.duplicates,
    ms: { load: loadMs, restart: restartMs, resend: resendMs, drain: drainMs, total: Date.now() - started },
  };
  log(
    `round ${round} (seed ${seed}): ${report.requests} CreateOrders (${report.keys} keys), killed after ${acknowledgedBeforeKill} acknowledged ` +
      `(${unansweredAtKill} in flight), ${report.resent} sent again; ${report.orders} orders, ${report.statusEvents} status events, ` +
      `${report.pushesReceived} pushes received (${report.duplicatePushes} duplicates); ${report.ms.total} ms ` +
      `(load ${loadMs}, restart ${restartMs}, resend ${resendMs}, drain ${drainMs})`,
  );
  return report;
}

// ---- the soak -----------------------------------------------------------------------------

export async function runCrashSoak(options: CrashSoakOptions = {}): Promise<CrashSoakReport> {
  const started = Date.now();
  const rounds = options.rounds ?? 1;
  const seed = options.seed ?? 20261121;
  const log = options.log ?? (() => undefined);
  const settings = {
    orders: options.orders ?? 1_000,
    concurrency: options.concurrency ?? 50,
    duplicateShare: options.duplicateShare ?? 0.1,
    faults: options.faults ?? true,
    drainTimeoutMs: options.drainTimeoutMs ?? 90_000,
  };
  const parent = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rxrelay-crash-soak-'));
  const built = options.headlessScript ? undefined : buildHeadless();
  const script = options.headlessScript ?? built!.script;
  const simulator = await createBestRxSimulator({ credentials: STATUS_CREDENTIALS });
  const reports: CrashRoundReport[] = [];
  let failed = false;
  try {
    for (let round = 0; round < rounds; round++) {
      const dir = join(parent, `round-${round}`);
      try {
        reports.push(await runRound(round, seed + round, dir, script, simulator, settings, log));
      } catch (error) {
        failed = true;
        throw error;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await simulator.close();
    built?.remove();
    if (!failed && !options.dataDir) rmSync(parent, { recursive: true, force: true });
  }
  return { seed, rounds: reports, ms: Date.now() - started };
}
