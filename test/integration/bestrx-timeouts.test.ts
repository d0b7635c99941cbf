// Slow clients are cut off: a client that trickles its headers or never finishes its body
// loses the connection instead of holding a socket forever.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localProviderBackend } from '../../src-main/core/bestrx/provider-backend';
import { startBestRxProviderServer, type RunningServer } from '../../src-main/core/bestrx/provider-server';
import { buildCodeTables } from '../../src-main/core/domain/code-tables';
import { silentLogger } from '../../src-main/core/logger';
import { DocumentService } from '../../src-main/core/labels/document-service';
import { DEFAULT_APP_SETTINGS } from '../../src-main/core/settings/app-settings';
import { UrlSigner } from '../../src-main/core/security/url-signer';
import { createTestOrderService } from '../helpers/order-service';

let server: RunningServer;
beforeAll(async () => {
  const { orders, clock } = createTestOrderService();
  server = await startBestRxProviderServer({
    host: '127.0.0.1',
    port: 0,
    credentials: () => ({ username: 'u', password: 'p' }),
    backend: localProviderBackend({ orders, documents: new DocumentService({ orders, trackingUrl: (id) => `http://127.0.0.1/track/${id}`, clock }), urlSigner: new UrlSigner(Buffer.alloc(32, 1)) }),
    addressValidator: { validate: async () => ({ suggestions: [], findings: [] }) },
    codeTables: () => buildCodeTables(),
    urlSigner: new UrlSigner(Buffer.alloc(32, 1)),
    settings: () => DEFAULT_APP_SETTINGS,
    logger: silentLogger,
    timeouts: { headersMs: 300, requestMs: 600, keepAliveMs: 300 },
  });
});
afterAll(() => server.close());

/** Sends `text` and resolves with what the server wrote before it closed the socket. */
function sendAndWaitForClose(text: string, limitMs: number): Promise<{ reply: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(server.port, '127.0.0.1', () => socket.write(text));
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.on('close', () => resolve({ reply, closedAfterMs: Date.now() - started }));
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`socket still open after ${limitMs} ms`));
    }, limitMs);
  });
}

it('closes a connection whose headers never finish', async () => {
  const { reply } = await sendAndWaitForClose(`POST /Order/CreateOrder HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nX-Slow: `, 5_000);
  expect(reply).toMatch(/^HTTP\/1\.1 408/);
});

it('closes a connection whose body never finishes', async () => {
  const head = [
    'POST /Order/CreateOrder HTTP/1.1',
    `Host: 127.0.0.1:${server.port}`,
    `Authorization: Basic ${Buffer.from('u:p').toString('base64')}`,
    'Content-Type: application/json',
    'Content-Length: 1000',
    '',
    '{"bestrx_order_id": 1',
  ].join('\r\n');
  const { closedAfterMs } = await sendAndWaitForClose(head, 5_000);
  expect(closedAfterMs).toBeLessThan(5_000);
});
