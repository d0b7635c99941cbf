// The BestRx simulator on a real loopback port, seen by a plain fetch client the way RxRelay's
// status outbox will see it: credentials, the payload schema, every fault, the control routes
// and the record file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBestRxSimulator, readRecordedPushes, type BestRxSimulator } from '../../../src-main/core/sandbox/bestrx/bestrx-simulator';
import { seedUpdateOrderStatusPayload } from '../../../src-main/core/sandbox/bestrx/seed-examples';
import { FakeClock } from '../../helpers/rxrelay-harness';
import { basicAuth, httpRequest } from '../../helpers/http';
import { seedExample, seedExampleText } from '../../helpers/fixtures';

const CREDENTIALS = { username: 'rxrelay-status', password: 'status-secret-123' };
const AUTH = basicAuth(CREDENTIALS.username, CREDENTIALS.password);

let sim: BestRxSimulator;
let recordDir: string;
const clock = new FakeClock(new Date('2026-11-21T10:00:00.000Z'));

beforeAll(async () => {
  recordDir = mkdtempSync(join(tmpdir(), 'bestrx-sim-'));
  sim = await createBestRxSimulator({ credentials: CREDENTIALS, clock, controlRoutes: true, recordFile: join(recordDir, 'pushes.jsonl') });
});
afterAll(async () => {
  await sim.close();
  rmSync(recordDir, { recursive: true, force: true });
});
afterEach(() => {
  sim.reset();
});

function push(body: unknown, headers: Record<string, string> = {}, url = sim.statusUrl): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: AUTH, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A response's JSON body, untyped so assertions can read any field. */
const bodyOf = (response: Response): Promise<any> => response.json(); // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary answer fields

const payloadFor = (providerOrderId: string, statusCode = '7') =>
  seedUpdateOrderStatusPayload({
    provider_order_id: providerOrderId,
    order_status: { date: '2026-11-21T09:59:00.000Z', status_code: statusCode, status_Code_description: 'Delivery/Shipment Delivered', status_notes: '' },
  });

describe('UpdateOrderStatus', () => {
  it('accepts the seed example verbatim, answers the seed success shape, and records it', async () => {
    const response = await push(seedExampleText('update-order-status.request'), { 'idempotency-key': 'evt-1', 'user-agent': 'RxRelay/test' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(seedExample('update-order-status.response'));
    expect(sim.statusUrl).toBe(`${sim.url}/Order/UpdateOrderStatus`);
    expect(sim.received()).toEqual([
      {
        receivedAt: '2026-11-21T10:00:00.000Z',
        payload: seedExample('update-order-status.request'),
        attempt: 1,
        headers: { 'content-type': 'application/json', 'idempotency-key': 'evt-1', 'user-agent': 'RxRelay/test' },
      },
    ]);
    expect(sim.attempts()).toMatchObject([{ providerOrderId: 'POI123456', statusCode: '2', attempt: 1, outcome: 'delivered', fault: null, httpStatus: 200 }]);
  });

  it('matches the path case-insensitively, and takes JSON with a charset', async () => {
    const response = await push(payloadFor('RXR-CASE'), {}, `${sim.url}/order/updateorderstatus`);
    expect(response.status).toBe(200);
    const withCharset = await push(payloadFor('RXR-CHARSET'), { 'content-type': 'application/json; charset=utf-8' });
    expect(withCharset.status).toBe(200);
    expect(sim.received()).toHaveLength(2);
  });

  it('counts repeats of the same push (order, status code, date) in `attempt`', async () => {
    await push(payloadFor('RXR-1'));
    await push(payloadFor('RXR-1'));
    await push(payloadFor('RXR-1', '6'));
    expect(sim.received().map((r) => [r.payload.provider_order_id, r.payload.order_status.status_code, r.attempt])).toEqual([
      ['RXR-1', '7', 1],
      ['RXR-1', '7', 2],
      ['RXR-1', '6', 1],
    ]);
  });

  it('refuses missing or wrong credentials with 401, recording nothing', async () => {
    for (const authorization of [basicAuth(CREDENTIALS.username, 'wrong'), basicAuth('someone', CREDENTIALS.password), 'Bearer abc', '']) {
      const response = await push(payloadFor('RXR-AUTH'), { authorization });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await response.json()).toEqual({
        data: {},
        status_updated: 'false',
        messages: [{ message_code: 'UNAUTHORIZED', message: expect.any(String), message_type: 2 }],
      });
    }
    expect(sim.received()).toEqual([]);
    expect(sim.attempts().map((a) => a.outcome)).toEqual(['unauthorized', 'unauthorized', 'unauthorized', 'unauthorized']);
  });

  it('refuses a payload that breaks the schema with 400, naming the bad fields', async () => {
    const body = seedExample('update-order-status.request');
    delete body.tracking_id;
    body.order_status.status_code = 7;
    const response = await push(body);
    expect(response.status).toBe(400);
    const answer = await bodyOf(response);
    expect(answer).toMatchObject({ data: {}, status_updated: 'false' });
    expect(answer.messages).toEqual([
      { message_code: 'MISSING_FIELD', message: 'tracking_id is required', message_type: 2 },
      { message_code: 'INVALID_FIELD', message: 'order_status.status_code must be a numeric code written as text (e.g. "7")', message_type: 2 },
    ]);
    expect(sim.received()).toEqual([]);
    expect(sim.attempts()).toMatchObject([{ outcome: 'invalid-payload', httpStatus: 400, providerOrderId: 'POI123456' }]);
  });

  it('takes JSON only, and says so for a broken body', async () => {
    const text = await fetch(sim.statusUrl, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: AUTH }, body: JSON.stringify(payloadFor('X')) });
    expect(text.status).toBe(415);
    expect((await bodyOf(text)).messages[0].message_code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const broken = await push('{"provider_order_id": ');
    expect(broken.status).toBe(400);
    expect((await bodyOf(broken)).messages[0].message_code).toBe('INVALID_JSON');
    expect(sim.received()).toEqual([]);
  });
});

describe('faults, as a plain client sees them', () => {
  it('http-500: a 500, then the retry succeeds and is recorded as attempt 2', async () => {
    sim.faults.next({ kind: 'http-500' });
    const first = await push(payloadFor('RXR-500'));
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ status_updated: 'false', messages: [{ message_type: 2 }] });
    expect(sim.received()).toEqual([]);
    const retry = await push(payloadFor('RXR-500'));
    expect(retry.status).toBe(200);
    expect(sim.received().map((r) => r.attempt)).toEqual([2]);
    expect(sim.attempts().map((a) => [a.attempt, a.outcome, a.fault, a.httpStatus])).toEqual([
      [1, 'fault', 'http-500', 500],
      [2, 'delivered', null, 200],
    ]);
  });

  it('http-503: a gateway-style HTML answer, with Retry-After when asked for', async () => {
    sim.faults.next({ kind: 'http-503', retryAfterSeconds: 30 });
    sim.faults.next({ kind: 'http-503' });
    const withRetryAfter = await push(payloadFor('RXR-503'));
    expect(withRetryAfter.status).toBe(503);
    expect(withRetryAfter.headers.get('retry-after')).toBe('30');
    expect(withRetryAfter.headers.get('content-type')).toMatch(/^text\/html/);
    await withRetryAfter.text();
    const without = await push(payloadFor('RXR-503'));
    expect(without.status).toBe(503);
    expect(without.headers.get('retry-after')).toBeNull();
    await without.text();
  });

  it('http-429: Retry-After in the header', async () => {
    sim.faults.next({ kind: 'http-429', retryAfterSeconds: 7 });
    const response = await push(payloadFor('RXR-429'));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toMatchObject({ status_updated: 'false', messages: [{ message_code: 'TOO_MANY_REQUESTS' }] });
  });

  it('http-400: a permanent refusal of a well-formed push', async () => {
    sim.faults.next({ kind: 'http-400' });
    const response = await push(payloadFor('RXR-400'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ status_updated: 'false', messages: [{ message_code: 'REQUEST_REFUSED', message_type: 2 }] });
    expect(sim.received()).toEqual([]);
  });

  it('slow: answers correctly, but late', async () => {
    sim.faults.next({ kind: 'slow', delayMs: 400 });
    const started = performance.now();
    const response = await push(payloadFor('RXR-SLOW'));
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(seedExample('update-order-status.response'));
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(sim.received()).toHaveLength(1);
    expect(sim.attempts()).toMatchObject([{ outcome: 'delivered', fault: 'slow' }]);
  });

  it('slow: a client that gives up still leaves the push applied, as at a real BestRx', async () => {
    sim.faults.next({ kind: 'slow', delayMs: 300 });
    await expect(
      fetch(sim.statusUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: AUTH },
        body: JSON.stringify(payloadFor('RXR-TIMEOUT')),
        signal: AbortSignal.timeout(50),
      }),
    ).rejects.toThrow(/abort|timeout/i);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sim.received().map((r) => r.payload.provider_order_id)).toEqual(['RXR-TIMEOUT']);
  });

  it('drop: the socket closes without an answer, and nothing is recorded as delivered', async () => {
    sim.faults.next({ kind: 'drop' });
    const failure = await push(payloadFor('RXR-DROP')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(((failure as TypeError).cause as { code?: string }).code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    expect(sim.received()).toEqual([]);
    expect(sim.attempts()).toMatchObject([{ outcome: 'fault', fault: 'drop', httpStatus: null, attempt: 1 }]);
  });

  it('drop afterRecording: applied, then the answer is lost, so the retry is a duplicate', async () => {
    sim.faults.next({ kind: 'drop', afterRecording: true });
    await expect(push(payloadFor('RXR-LOST'))).rejects.toThrow(TypeError);
    expect((await push(payloadFor('RXR-LOST'))).status).toBe(200);
    expect(sim.received().map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('not-updated: a 200 whose body says status_updated "false" with an Error message', async () => {
    sim.faults.next({ kind: 'not-updated' });
    const response = await push(payloadFor('RXR-NU'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: {},
      status_updated: 'false',
      messages: [{ message_code: 'STATUS_NOT_UPDATED', message: expect.any(String), message_type: 2 }],
    });
    expect(sim.received()).toEqual([]);
  });

  it('error-message: status_updated "true" but an Error message; recorded as delivered', async () => {
    sim.faults.next({ kind: 'error-message' });
    const response = await push(payloadFor('RXR-EM'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status_updated: 'true', messages: [{ message_type: 2 }] });
    expect(sim.received()).toHaveLength(1);
  });

  it('forOrder and always: only that order fails, until cleared', async () => {
    sim.faults.always({ kind: 'http-500', forOrder: 'RXR-BAD' });
    expect((await push(payloadFor('RXR-BAD'))).status).toBe(500);
    expect((await push(payloadFor('RXR-GOOD'))).status).toBe(200);
    expect((await push(payloadFor('RXR-BAD'))).status).toBe(500);
    sim.faults.clear();
    expect((await push(payloadFor('RXR-BAD'))).status).toBe(200);
    expect(sim.received().map((r) => [r.payload.provider_order_id, r.attempt])).toEqual([
      ['RXR-GOOD', 1],
      ['RXR-BAD', 3],
    ]);
  });

  it('a malformed push neither hides behind nor uses up a fault', async () => {
    sim.faults.next({ kind: 'http-500' });
    const malformed = await push({ ...payloadFor('RXR-M'), signature: 'not a png' });
    expect(malformed.status).toBe(400);
    expect((await push(payloadFor('RXR-M'))).status).toBe(500);
  });
});

describe('control routes', () => {
  const control = (path: string, init: RequestInit = {}) => fetch(`${sim.url}/__simulator${path}`, init);
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('inject faults, list received pushes and attempts, and reset, without BestRx credentials', async () => {
    const set = await control('/faults', json({ kind: 'http-429', retryAfterSeconds: 2, times: 2 }));
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ faults: [{ kind: 'http-429', retryAfterSeconds: 2, mode: 'next', remaining: 2, forOrder: null }] });
    await control('/faults', json({ mode: 'always', kind: 'not-updated', forOrder: 'RXR-C2' }));
    expect((await push(payloadFor('RXR-C1'))).status).toBe(429);
    expect((await push(payloadFor('RXR-C1'))).status).toBe(429);
    expect((await push(payloadFor('RXR-C1'))).status).toBe(200);
    expect(await (await push(payloadFor('RXR-C2'))).json()).toMatchObject({ status_updated: 'false' });

    const received = await bodyOf(await control('/received'));
    expect(received.received.map((r: { payload: { provider_order_id: string }; attempt: number }) => [r.payload.provider_order_id, r.attempt])).toEqual([['RXR-C1', 3]]);
    const attempts = await bodyOf(await control('/attempts'));
    expect(attempts.attempts).toHaveLength(4);
    expect((await bodyOf(await control('/faults'))).faults).toEqual([{ kind: 'not-updated', mode: 'always', remaining: null, forOrder: 'RXR-C2' }]);

    expect((await control('/faults', { method: 'DELETE' })).status).toBe(200);
    expect((await push(payloadFor('RXR-C2'))).status).toBe(200);
    expect((await control('/reset', { method: 'POST' })).status).toBe(200);
    expect(sim.received()).toEqual([]);
    expect(sim.attempts()).toEqual([]);
  });

  it('refuse a fault they do not know, naming the problem', async () => {
    const unknown = await control('/faults', json({ kind: 'meteor' }));
    expect(unknown.status).toBe(400);
    expect((await bodyOf(unknown)).error).toMatch(/Not a fault/);
    const badMode = await control('/faults', json({ mode: 'sometimes', kind: 'http-500' }));
    expect(badMode.status).toBe(400);
    expect(sim.faults.list()).toEqual([]);
  });

  it('refuse a browser Origin and a Host that does not name this listener', async () => {
    const port = new URL(sim.url).port;
    const fromPage = await httpRequest(`${sim.url}/__simulator/reset`, { headers: { origin: 'http://evil.example', host: `127.0.0.1:${port}` } });
    expect(fromPage.status).toBe(403);
    const rebound = await httpRequest(`${sim.url}/__simulator/received`, { method: 'GET', headers: { host: `evil.example:${port}` } });
    expect(rebound.status).toBe(403);
    const local = await httpRequest(`${sim.url}/__simulator/received`, { method: 'GET', headers: { host: `localhost:${port}` } });
    expect(local.status).toBe(200);
  });

  it('do not exist unless asked for', async () => {
    const plain = await createBestRxSimulator({ credentials: CREDENTIALS });
    try {
      const response = await fetch(`${plain.url}/__simulator/received`);
      expect(response.status).toBe(404);
      expect((await fetch(`${plain.url}/__simulator/reset`, { method: 'POST' })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});

describe('options', () => {
  it('recordFile holds every accepted push as a JSON line, readable while the simulator runs', async () => {
    const file = join(recordDir, 'pushes.jsonl');
    const before = readRecordedPushes(file).length;
    sim.faults.next({ kind: 'http-500' });
    await push(payloadFor('RXR-FILE'));
    await push(payloadFor('RXR-FILE'));
    const pushes = readRecordedPushes(file).slice(before);
    expect(pushes.map((p) => [p.payload.provider_order_id, p.attempt])).toEqual([['RXR-FILE', 2]]);
    expect(readRecordedPushes(join(recordDir, 'missing.jsonl'))).toEqual([]);
  });

  it('a record file that cannot be written fails at start, not on the first push', async () => {
    await expect(createBestRxSimulator({ credentials: CREDENTIALS, recordFile: join(recordDir, 'no-such-dir', 'pushes.jsonl') })).rejects.toThrow(/ENOENT/);
  });

  it('statusUpdatedAs boolean answers true/false as JSON booleans', async () => {
    const booleans = await createBestRxSimulator({ credentials: CREDENTIALS, statusUpdatedAs: 'boolean' });
    try {
      const ok = await push(payloadFor('RXR-B'), {}, booleans.statusUrl);
      expect(await ok.json()).toEqual({ data: {}, status_updated: true, messages: [] });
      booleans.faults.next({ kind: 'not-updated' });
      expect(await (await push(payloadFor('RXR-B'), {}, booleans.statusUrl)).json()).toMatchObject({ status_updated: false });
    } finally {
      await booleans.close();
    }
  });

  it('close() does not wait for a slow answer still pending', async () => {
    const closing = await createBestRxSimulator({ credentials: CREDENTIALS });
    closing.faults.next({ kind: 'slow', delayMs: 60_000 });
    const pending = push(payloadFor('RXR-CLOSE'), {}, closing.statusUrl).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await closing.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await pending).toBeInstanceOf(TypeError);
    expect(closing.received()).toEqual([]);
  });
});
