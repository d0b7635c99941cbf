// Headless mode's app API over HTTP: the same contract the preload exposes, behind a bearer
// token, a Host check and an Origin check, with live changes as server-sent events.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../../src-shared/renderer-csp';
import { startHeadlessUiServer } from '../../src-main/core/app-api/headless-ui-server';
import type { RunningServer } from '../../src-main/core/bestrx/provider-server';
import { silentLogger } from '../../src-main/core/logger';
import { createOrderBody } from '../helpers/fixtures';
import { httpRequest } from '../helpers/http';
import { startHarness, type Harness } from '../helpers/rxrelay-harness';

const TOKEN = 'test-token-0123456789abcdef';
let h: Harness;
let ui: RunningServer;

beforeAll(async () => {
  h = await startHarness();
  const rendererDir = mkdtempSync(join(tmpdir(), 'rxrelay-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<html><head><meta name="rxrelay-api-token" content="" /></head><body></body></html>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  ui = await startHeadlessUiServer({
    port: 0,
    apiToken: TOKEN,
    appApi: h.core.appApi,
    events: h.core.events,
    rendererDir,
    context: { actor: 'ui-tester' },
    logger: silentLogger,
  });
});
afterAll(async () => {
  await ui.close();
  await h.stop();
});

const api = (method: string, body: unknown, headers: Record<string, string> = {}) =>
  httpRequest(`${ui.url}api/${method}`, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: JSON.stringify(body),
  });

describe('headless app API', () => {
  it('serves the renderer with the session token and a strict CSP', async () => {
    const page = await httpRequest(ui.url, { method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<meta name="rxrelay-api-token" content="${TOKEN}" />`);
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    const asset = await httpRequest(`${ui.url}assets/app.js`, { method: 'GET' });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const escape = await httpRequest(`${ui.url}assets/..%2f..%2fetc%2fpasswd`, { method: 'GET' });
    expect(escape.status).toBe(404);
  });

  it('lists, gets and transitions orders, recording the session user as actor', async () => {
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const id = create.json.data.provider_order_id as string;
    const list = await api('orders.list', { q: id });
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ ok: true, value: { total: 1, orders: [{ id, status: 'created', recipient_name: 'Jane Doe (Doe Industries)' }] } });
    const got = await api('orders.get', { id });
    expect(got.json).toMatchObject({ ok: true, value: { id, allowed_transitions: ['acknowledged', 'picked_up', 'cancelled'] } });
    const moved = await api('orders.transition', { id, to: 'acknowledged' });
    expect(moved.json).toMatchObject({ ok: true, value: { status: 'acknowledged' } });
    expect(moved.json.value.events.at(-1)).toMatchObject({ actor: 'ui-tester', to_status: 'acknowledged' });
  });

  it('counts every match in total, whatever the limit', async () => {
    for (let i = 0; i < 3; i++) await h.post('/Order/CreateOrder', createOrderBody());
    const page = await api('orders.list', { limit: 2 });
    expect(page.json.value.orders).toHaveLength(2);
    expect(page.json.value.total).toBeGreaterThanOrEqual(3);
  });

  it('answers errors in the contract shape', async () => {
    const invalid = await api('orders.list', { limit: 'ten', colour: 'red' });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({ ok: false, error: { code: 'invalid_input', details: expect.any(Array) } });
    const unknown = await api('orders.delete', {});
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    const missing = await api('orders.get', { id: 'RXR-NOPE' });
    expect(missing.json).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const refused = await api('orders.transition', { id: create.json.data.provider_order_id, to: 'delivered' });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ ok: false, error: { code: 'transition_refused', details: [expect.stringMatching(/cannot become delivered/)] } });
  });

  it('requires the bearer token', async () => {
    for (const authorization of ['', 'Bearer wrong-token', `Basic ${TOKEN}`]) {
      const response = await api('orders.list', {}, { authorization });
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
  });

  it('refuses other Hosts (DNS rebinding) and other Origins (cross-site calls)', async () => {
    expect((await api('orders.list', {}, { host: 'attacker.example:80' })).status).toBe(403);
    expect((await httpRequest(ui.url, { method: 'GET', headers: { host: `rebind.example:${ui.port}` } })).status).toBe(403);
    expect((await api('orders.list', {}, { origin: 'https://attacker.example' })).status).toBe(403);
    expect((await api('orders.list', {}, { origin: ui.url.replace(/\/$/, '') })).status).toBe(200);
  });

  it('streams live changes as server-sent events', async () => {
    const received: string[] = [];
    const stream = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${ui.url}api/events`, { headers: { authorization: `Bearer ${TOKEN}` } }, resolve);
      req.on('error', reject);
      req.end();
    });
    expect(stream.statusCode).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    stream.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    const create = await h.post('/Order/CreateOrder', createOrderBody());
    const id = create.json.data.provider_order_id as string;
    await expect.poll(() => received.join('')).toContain(`"type":"order.created","order_id":"${id}"`);
    await api('orders.transition', { id, to: 'acknowledged' });
    await expect.poll(() => received.join('')).toContain(`"type":"order.changed","order_id":"${id}","status":"acknowledged"`);
    stream.destroy();
    const unauthorized = await httpRequest(`${ui.url}api/events`, { method: 'GET' });
    expect(unauthorized.status).toBe(401);
  });
});
