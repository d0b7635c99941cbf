// BestRx's listener on its own thread (the built out/…/bestrx-listener.js, as the composition
// roots start it): the same answers as on the main thread, every call to the rest of RxRelay
// across the thread boundary (orders, labels, prints, tracking, webhooks), settings changed in
// the app reaching the thread at once, its log lines in the app's log, and a thread that dies
// started again on the same port.
import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProviderBackend } from '../../src-main/core/bestrx/provider-backend';
import { startThreadedBestRxProviderServer } from '../../src-main/core/bestrx/threaded-provider-server';
import { buildCodeTables } from '../../src-main/core/domain/code-tables';
import { DocumentService } from '../../src-main/core/labels/document-service';
import { writeFormattedLine, type LogLevel } from '../../src-main/core/logger';
import { DEFAULT_APP_SETTINGS } from '../../src-main/core/settings/app-settings';
import { UrlSigner } from '../../src-main/core/security/url-signer';
import { createOrderBody, seedExample } from '../helpers/fixtures';
import { basicAuth, httpRequest } from '../helpers/http';
import { buildMainProcessInto, ROOT } from '../helpers/main-build';
import { createTestOrderService } from '../helpers/order-service';
import { recordingLogger } from '../helpers/recording-logger';
import { startHarness, TEST_CREDENTIALS, type Harness } from '../helpers/rxrelay-harness';

const OUT = join('out', `listener-thread-test-${process.pid}`);
const SCRIPT = join(ROOT, OUT, 'main', 'bestrx-listener.js');
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

beforeAll(() => void buildMainProcessInto(OUT), 120_000);

afterAll(() => rmSync(join(ROOT, OUT), { recursive: true, force: true }));

describe('the core with its BestRx listener on a thread', () => {
  let h: Harness;
  let logged: ReturnType<typeof recordingLogger>['lines'];
  /** Lines the thread formatted (and redacted) itself, as they reached the app's log. */
  const formattedOnThread: string[] = [];

  beforeAll(async () => {
    const recording = recordingLogger();
    logged = recording.lines;
    const logger = {
      ...recording.logger,
      writeLine: (line: string, level: LogLevel) => {
        formattedOnThread.push(line);
        writeFormattedLine(recording.logger, line, level);
      },
    };
    h = await startHarness({ listenerThreadScript: SCRIPT, logger });
  });
  afterAll(() => h?.stop());

  it('answers CreateOrder once the order is stored, with its label images, and logs through the app', async () => {
    const response = await h.post('/Order/CreateOrder', seedExample('create-order.request'));
    expect(response.status).toBe(200);
    const data = response.json.data;
    expect(response.json.request_is_valid).toBe(true);
    expect(h.core.orders.get(data.provider_order_id).tracking_id).toBe(data.tracking_id);
    // Rendered on the main thread, carried back as bytes, inlined by the thread.
    expect(Buffer.from(data.label_image, 'base64').subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(Buffer.from(data.manifesto_image, 'base64').subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    expect(data.label_url).toMatch(new RegExp(`^${h.baseUrl}/labels/${data.provider_order_id}\\.png\\?sig=[\\w-]{43}$`));
    // The thread's log lines travel with its next batch of messages, just after the answer.
    await expect.poll(() => logged).toContainEqual({ level: 'info', event: 'bestrx.create_order', fields: { outcome: 'created', order_id: data.provider_order_id } });
    // Formatted on the thread: the main thread only writes it.
    expect(formattedOnThread.map((line) => JSON.parse(line))).toContainEqual({ time: expect.any(String), level: 'info', event: 'bestrx.create_order', outcome: 'created', order_id: data.provider_order_id });
    expect(logged).toContainEqual(expect.objectContaining({ event: 'core.started', fields: expect.objectContaining({ bestrx_listener: 'worker thread' }) }));
  });

  it('keeps one order for 30 identical CreateOrders sent at once', async () => {
    const body = createOrderBody({ bestrx_unique_order_id: 987654321 });
    const answers = await Promise.all(Array.from({ length: 30 }, () => h.post('/Order/CreateOrder', body)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(new Set(answers.map((a) => a.json.data.provider_order_id)).size).toBe(1);
    expect(h.db.prepare('SELECT count(*) AS n FROM idempotency_keys WHERE bestrx_unique_order_id = 987654321').get()).toEqual({ n: 1 });
  });

  it('serves the signed label and tracking links, and records the print on the main thread', async () => {
    const created = (await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: 55501 }))).json.data;
    const label = await httpRequest(created.label_url, { method: 'GET' });
    expect(label.status).toBe(200);
    expect(label.headers['content-type']).toBe('image/png');
    expect(label.body.subarray(0, 8).equals(PNG_MAGIC)).toBe(true);
    const prints = h.core.orders.get(created.provider_order_id).events.filter((event) => event.type === 'label_printed');
    expect(prints).toHaveLength(1);
    const tracking = await httpRequest(created.tracking_url, { method: 'GET' });
    expect(tracking.status).toBe(200);
    expect(tracking.json.data).toMatchObject({ tracking_id: created.tracking_id, order_status: { status_code_description: 'Order Created' } });
    const unknown = await httpRequest(`${h.baseUrl}/labels/RXR-0000000000000.png`, { method: 'GET', headers: { authorization: h.auth } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.messages[0].message_code).toBe('ORDER_NOT_FOUND');
  });

  it('refuses wrong credentials and a foreign Host on the thread, in the envelope', async () => {
    const wrong = await httpRequest(`${h.baseUrl}/Order/CreateOrder`, {
      headers: { 'content-type': 'application/json', authorization: basicAuth(TEST_CREDENTIALS.username, 'wrong') },
      body: JSON.stringify(createOrderBody()),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.request_is_valid).toBe(false);
    const foreign = await h.post('/Order/CreateOrder', createOrderBody(), { host: 'evil.example:80' });
    expect(foreign.status).toBe(403);
  });

  it('takes code tables and settings changed in the app at the next request', async () => {
    await h.core.appApi.call('settings.updateCodeTables', { overrides: { status: { created: { code: '21', description: 'Order Created' }, acknowledged: { code: '1', description: 'Order Acknowledged' } } } }, { actor: 'admin' });
    await h.core.appApi.call('settings.update', { label_image_format: 'jpeg', inline_label_images: false }, { actor: 'admin' });
    const response = await h.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: 55502 }));
    expect(response.json.data.order_status.status_code).toBe('21');
    expect(response.json.data.label_url).toMatch(/\.jpg\?sig=/);
    expect(response.json.data.label_image).toBe('');
  });

  it('hands partner webhooks to the partner engine and answers with what it says', async () => {
    const body = JSON.stringify({ event: 'nothing' });
    const expected = await h.core.partnerEngine.receiveWebhook('nobody', body, {}, new URLSearchParams('a=1'));
    const answer = await httpRequest(`${h.baseUrl}/webhooks/nobody?a=1`, { headers: { 'content-type': 'application/json' }, body });
    expect(answer.status).toBe(expected.status);
    expect(answer.json).toEqual(expected.body);
  });
});

it('a regenerated BestRx password works at once on the thread, and the old one stops', async () => {
  const h = await startHarness({ listenerThreadScript: SCRIPT, bestrxCredentials: 'generated' });
  try {
    const connection = async (method: 'settings.bestrxConnection' | 'settings.regenerateBestrxCredentials') => {
      const reply = await h.core.appApi.call(method, {}, { actor: 'admin' });
      if (!reply.ok) throw new Error(JSON.stringify(reply.error));
      return reply.value as { username: string; password: string };
    };
    const before = await connection('settings.bestrxConnection');
    const after = await connection('settings.regenerateBestrxCredentials');
    expect(after.password).not.toBe(before.password);
    const post = (username: string, password: string) =>
      httpRequest(`${h.baseUrl}/Order/CreateOrder`, {
        headers: { 'content-type': 'application/json', authorization: basicAuth(username, password) },
        body: JSON.stringify(createOrderBody()),
      });
    expect((await post(before.username, before.password)).status).toBe(401);
    expect((await post(after.username, after.password)).status).toBe(200);
  } finally {
    await h.stop();
  }
});

describe('the listener thread itself', () => {
  function options(port: number) {
    const { orders, clock } = createTestOrderService();
    const urlSigner = new UrlSigner(Buffer.alloc(32, 7));
    const documents = new DocumentService({ orders, trackingUrl: (id) => `http://127.0.0.1/track/${id}`, clock });
    const { logger, lines } = recordingLogger();
    const threads: Worker[] = [];
    return {
      lines,
      threads,
      options: {
        script: SCRIPT,
        host: '127.0.0.1',
        port,
        configuration: () => ({ credentials: { username: 'u', password: 'p' }, codeTables: buildCodeTables(), settings: { ...DEFAULT_APP_SETTINGS, inline_label_images: false } }),
        urlSigningKey: Buffer.alloc(32, 7),
        backend: localProviderBackend({ orders, documents, urlSigner }),
        logger,
        onThreadStarted: (thread: Worker) => threads.push(thread),
      },
    };
  }
  const createOrderAt = (url: string) =>
    httpRequest(`${url}/Order/CreateOrder`, { headers: { 'content-type': 'application/json', authorization: basicAuth('u', 'p') }, body: JSON.stringify(createOrderBody()) });

  it('is started again on the same port when it dies', async () => {
    const setup = options(0);
    const listener = await startThreadedBestRxProviderServer(setup.options);
    try {
      expect((await createOrderAt(listener.url)).status).toBe(200);
      await setup.threads[0]!.terminate();
      await expect.poll(() => setup.lines.map((line) => line.event), { timeout: 10_000 }).toContain('bestrx.listener_thread_restarted');
      expect(setup.threads).toHaveLength(2);
      expect(setup.lines).toContainEqual(expect.objectContaining({ level: 'error', event: 'bestrx.listener_thread_exited' }));
      expect((await createOrderAt(listener.url)).status).toBe(200);
    } finally {
      await listener.close();
    }
    // Closed: the port is free, and no thread is started again.
    await expect(createOrderAt(listener.url)).rejects.toThrow();
    expect(setup.threads).toHaveLength(2);
  });

  it('fails to start, with the listen error, when its port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    try {
      const port = (taken.address() as { port: number }).port;
      await expect(startThreadedBestRxProviderServer(options(port).options)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      taken.close();
    }
  });
});
