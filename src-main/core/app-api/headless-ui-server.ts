// Headless mode's second listener, always on 127.0.0.1: the renderer (GET /), its assets, the
// app API (POST /api/<method>, bearer token) and live changes (GET /api/events, server-sent
// events). The page receives the session's token inside the HTML it is served in; the Host
// check stops a web page from reaching this port through DNS rebinding, and the Origin check
// refuses API calls from any other site.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import Fastify from 'fastify';
import type { AppApiReply, AppApiErrorCode } from '../../../src-shared/app-api-contract';
import { RENDERER_CSP } from '../../../src-shared/renderer-csp';
import type { AppEventBus } from '../app-events';
import type { RunningServer } from '../bestrx/provider-server';
import type { Logger } from '../logger';
import { secretMatcher } from '../security/secret-matcher';
import type { AppApi, AppApiContext } from './app-api';

export const UI_HOST = '127.0.0.1';
const API_BODY_LIMIT_BYTES = 2 * 1024 * 1024;
const SSE_HEARTBEAT_MS = 25_000;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const HTTP_STATUS: Record<AppApiErrorCode, number> = {
  invalid_input: 400,
  unknown_method: 404,
  unauthorized: 401,
  locked: 401,
  forbidden: 403,
  not_found: 404,
  // The partner is down, rate limiting or not connected: the call may work later.
  partner_unavailable: 503,
  conflict: 409,
  transition_refused: 409,
  internal: 500,
};

export interface HeadlessUiServerOptions {
  port: number;
  apiToken: string;
  appApi: AppApi;
  events: AppEventBus;
  /** The built renderer (out/renderer); missing in unit tests, where only /api is used. */
  rendererDir: string;
  context: AppApiContext;
  logger: Logger;
}

export async function startHeadlessUiServer(options: HeadlessUiServerOptions): Promise<RunningServer> {
  const { appApi, events, logger } = options;
  const app = Fastify({ logger: false, bodyLimit: API_BODY_LIMIT_BYTES, forceCloseConnections: true, requestTimeout: 60_000 });
  let allowedHosts = new Set<string>();
  let ownOrigins = new Set<string>();
  const tokenMatches = secretMatcher(options.apiToken);
  const hasToken = (header: string | undefined) => tokenMatches(/^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '');
  const fail = (code: AppApiErrorCode, message: string): AppApiReply<never> => ({ ok: false, error: { code, message } });

  app.addHook('onRequest', async (request, reply) => {
    if (!allowedHosts.has((request.headers.host ?? '').toLowerCase())) {
      return reply.code(403).type('text/plain').send('This RxRelay UI answers only on its loopback address.');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !ownOrigins.has(origin.toLowerCase())) {
      return reply.code(403).send(fail('unauthorized', 'Cross-site requests are not accepted.'));
    }
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-store');
  });

  app.setErrorHandler((error: { statusCode?: number; message: string; name: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status < 500) return reply.code(status).send(fail('invalid_input', status === 415 ? 'Send the input as JSON.' : error.message));
    logger.error('ui.internal_error', { error: error.name });
    return reply.code(500).send(fail('internal', 'Internal error.'));
  });

  app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
    if (!hasToken(request.headers.authorization)) return reply.code(401).send(fail('unauthorized', 'Missing or wrong API token.'));
    const result = await appApi.call(request.params.method, request.body ?? {}, options.context);
    return reply.code(result.ok ? 200 : HTTP_STATUS[result.error.code]).send(result);
  });

  app.get('/api/events', async (request, reply) => {
    if (!hasToken(request.headers.authorization)) return reply.code(401).send(fail('unauthorized', 'Missing or wrong API token.'));
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    stream.write(': connected\n\n');
    const unsubscribe = events.subscribe((event) => stream.write(`data: ${JSON.stringify(event)}\n\n`));
    const heartbeat = setInterval(() => stream.write(': ping\n\n'), SSE_HEARTBEAT_MS);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  let indexHtml: string | undefined;
  const page = async () => {
    indexHtml ??= await readFile(join(options.rendererDir, 'index.html'), 'utf8');
    return indexHtml.replace(
      /<meta name="rxrelay-api-token" content="[^"]*"\s*\/?>/,
      `<meta name="rxrelay-api-token" content="${options.apiToken}" />`,
    );
  };

  app.get('/', async (_request, reply) => {
    try {
      const html = await page();
      return reply.header('content-security-policy', RENDERER_CSP).type('text/html; charset=utf-8').send(html);
    } catch {
      return reply.code(503).type('text/plain').send('The renderer is not built; run `npm run build` (npm run serve does this).');
    }
  });

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const assetsDir = join(options.rendererDir, 'assets');
    const file = normalize(join(assetsDir, request.params['*']));
    if (!file.startsWith(assetsDir + sep)) return reply.code(404).send();
    try {
      const body = await readFile(file);
      return reply
        .header('cache-control', 'public, max-age=31536000, immutable')
        .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
        .send(body);
    } catch {
      return reply.code(404).type('text/plain').send('Not found');
    }
  });

  await app.listen({ host: UI_HOST, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  ownOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  return { url: `http://${UI_HOST}:${port}/`, port, close: () => app.close() };
}
