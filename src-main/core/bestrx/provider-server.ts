// The endpoint BestRx calls: POST /Order/CreateOrder, /Address/ValidateAddress and
// /Order/CancelOrder (paths matched case-insensitively), plus the label, manifest and tracking
// links that CreateOrder hands out. Every answer, errors included, is BestRx's envelope.
//
// Guards run before the body is read, cheapest first: the Host header must name this listener
// (a web page cannot reach it through DNS rebinding), a browser's Origin is refused (BestRx is
// not a browser), then Basic credentials are compared in constant time. Bodies are JSON only,
// at most 256 KiB, and slow clients are cut off by header and request timeouts.
import { hostname, networkInterfaces } from 'node:os';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressFinding, AddressValidator } from '../address/address-validator';
import type { CodeTables, LabelFileType, MessageType } from '../domain/code-tables';
import { formatDollars } from '../domain/money';
import type { Logger } from '../logger';
import { requestFingerprint } from '../domain/order-content';
import { BESTRX_ACTOR, type CreateOrderOutcome, type CancelOrderOutcome } from '../orders/order-service';
import { secretMatcher } from '../security/secret-matcher';
import type { UrlSigner } from '../security/url-signer';
import { IMAGE_FILE_EXTENSIONS } from '../labels/label-order';
import type { AppSettings, DocumentFormat } from '../../../src-shared/app-api-contract';
import type { OrderStateRow } from '../storage/orders-repository';
import { parseCancelOrder, parseCreateOrder, parseValidateAddress, type ParsedCreateOrder } from './bestrx-requests';
import { envelope, MessageCode, type EnvelopeMessage } from './envelope';
import type { FieldProblem } from './lenient-fields';
import { signedTrackingPath, type ProviderBackend } from './provider-backend';

export const BODY_LIMIT_BYTES = 256 * 1024;
/** A client that has not sent its headers in 10 s, or its whole request in 30 s, is cut off
 * (Node answers 408 and closes), so slow clients cannot hold the listener's sockets. */
export const DEFAULT_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

export interface BasicCredentials {
  username: string;
  password: string;
}

export interface BestRxProviderServerOptions {
  host: string;
  port: number;
  /** Read on every request, so regenerated credentials take effect at once. */
  credentials: () => BasicCredentials;
  /** Orders, documents and partner webhooks: the rest of RxRelay, on this thread or reached from another. */
  backend: ProviderBackend;
  addressValidator: AddressValidator;
  codeTables: () => CodeTables;
  /** Checks the links RxRelay hands out that open without credentials (labels, tracking, signatures). */
  urlSigner: UrlSigner;
  /** Read on every CreateOrder: whether to inline the label images, and in which format. */
  settings: () => AppSettings;
  logger: Logger;
  timeouts?: typeof DEFAULT_TIMEOUTS;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:8410 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** BestRx's listener, wherever it runs. */
export interface BestRxListener extends RunningServer {
  /** Credentials, code tables or settings changed: a listener on another thread is sent them again (one here reads them live). */
  configurationChanged(): void;
}

const PROVIDER_PATHS = ['/order/createorder', '/address/validateaddress', '/order/cancelorder'];

export async function startBestRxProviderServer(options: BestRxProviderServerOptions): Promise<BestRxListener> {
  const { backend, addressValidator, codeTables, logger } = options;
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    forceCloseConnections: true,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    // A path that is not valid percent-encoding (`/%ff`) fails in the router, before any route
    // or hook: answer it like any unknown path, in the envelope (fastify's own body is not).
    frameworkErrors: (_err, request, res) =>
      reply(res as FastifyReply, 404, {}, [error('error', MessageCode.notFound, `No such endpoint: ${request.method} ${pathOf(request as FastifyRequest)}.`)]),
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // How often Node looks for clients past those limits (its default is every 30 s).
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersMs),
      // Node would answer a request without a Host header with a bare 400 (no envelope); the
      // Host guard below refuses it instead, with 403 in the envelope like any foreign Host.
      requireHostHeader: false,
    },
  });
  let allowedHosts = new Set<string>();
  const basicAuth = new BasicAuthCheck();
  const rawBodies = new WeakMap<FastifyRequest, string>();

  // JSON only: without this, fastify would also accept text/plain. The body's text is kept as
  // BestRx sent it (stored with the order: every field, even ones RxRelay does not know yet),
  // then parsed by fastify's own prototype-poisoning-safe JSON parser.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    rawBodies.set(request, body as string);
    parseJson(request, body as string, done);
  });

  const reply = (res: FastifyReply, status: number, data: object, messages: EnvelopeMessage[]) =>
    res.code(status).type('application/json; charset=utf-8').send(envelope(codeTables(), data, status === 200, messages));
  const error = (type: MessageType, code: string, text: string): EnvelopeMessage => ({ type, code, text });

  app.addHook('onRequest', async (request, res) => {
    // A partner's webhook arrives through whatever tunnel or proxy reaches this desktop, under
    // that Host; it carries no BestRx credentials. Its signature is its authentication: a web
    // page (the reason for the Host and Origin checks) cannot forge one. Only the webhook route
    // itself carries this flag; every other request, CreateOrder included, pays for no path test.
    if ((request.routeOptions.config as { partnerWebhook?: boolean }).partnerWebhook) return;
    const host = (request.headers.host ?? '').toLowerCase();
    if (!allowedHosts.has(host)) {
      logger.warn('bestrx.request_refused', { reason: 'host', path: pathOf(request) });
      return reply(res, 403, {}, [error('error', MessageCode.forbiddenHost, `Host "${host}" is not this endpoint; use ${[...allowedHosts][0] ?? ''}.`)]);
    }
    if (request.headers.origin !== undefined) {
      logger.warn('bestrx.request_refused', { reason: 'origin', path: pathOf(request) });
      return reply(res, 403, {}, [error('error', MessageCode.forbiddenOrigin, 'Requests from web browsers are not accepted.')]);
    }
    if (isSignedLink(request, options.urlSigner)) return;
    if (!basicAuth.accepts(request.headers.authorization, options.credentials())) {
      res.header('www-authenticate', 'Basic realm="RxRelay", charset="UTF-8"');
      return reply(res, 401, {}, [error('error', MessageCode.unauthorized, 'Missing or wrong RxRelay credentials (HTTP Basic).')]);
    }
  });

  app.setErrorHandler((err: FastifyError, request, res) => {
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply(res, 415, {}, [error('error', MessageCode.unsupportedMediaType, 'Content-Type must be application/json.')]);
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply(res, 413, {}, [error('error', MessageCode.bodyTooLarge, `The body is larger than ${BODY_LIMIT_BYTES / 1024} KiB.`)]);
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply(res, 400, {}, [error('error', MessageCode.invalidJson, 'The body is empty; send the request as JSON.')]);
    }
    if (status >= 400 && status < 500) {
      const invalidJson = err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(err.message);
      return reply(res, status, {}, [
        invalidJson
          ? error('error', MessageCode.invalidJson, 'The body is not valid JSON.')
          : error('error', MessageCode.invalidField, err.message),
      ]);
    }
    logger.error('bestrx.internal_error', { path: pathOf(request), error: err.name, code: err.code });
    return reply(res, 500, {}, [error('error', MessageCode.internal, 'RxRelay could not process the request. Please retry; a retry never creates a second order.')]);
  });

  app.setNotFoundHandler((request, res) => {
    const path = pathOf(request).toLowerCase().replace(/\/+$/, '');
    if (PROVIDER_PATHS.includes(path)) {
      res.header('allow', 'POST');
      return reply(res, 405, {}, [error('error', MessageCode.methodNotAllowed, `Use POST for ${pathOf(request)}.`)]);
    }
    return reply(res, 404, {}, [error('error', MessageCode.notFound, `No such endpoint: ${request.method} ${pathOf(request)}.`)]);
  });

  const baseUrl = (request: FastifyRequest) => `http://${request.headers.host ?? ''}`;

  app.post('/Order/CreateOrder', async (request, res) => {
    const parsed = parseCreateOrder(request.body);
    if (!parsed.ok) return reply(res, 400, {}, problemMessages(parsed.problems));
    const rawBody = rawBodies.get(request) ?? JSON.stringify(request.body);
    const stored = backend.receiveCreateOrder(parsed.value.content, rawBody, requestFingerprint(rawBody));
    // The recipient's address is checked while the order is being committed, not after: the
    // commit is the long wait of a CreateOrder, and this thread is otherwise idle during it. The
    // check waits for the next turn of the event loop, so the order leaves for the database
    // first (the calls of one turn go to the main thread together, see batchedSender).
    const addressChecked = new Promise<EnvelopeMessage[]>((resolve) => setImmediate(() => resolve(recipientAddressMessages(addressValidator, parsed.value, logger))));
    const outcome = await stored;
    const settings = options.settings();
    const data = createOrderData(outcome.order, parsed.value, baseUrl(request), codeTables(), options.urlSigner, settings.label_image_format);
    const messages = [...createOrderMessages(outcome), ...totalMismatchMessages(parsed.value)];
    if (outcome.kind === 'locked') return reply(res, 409, data, messages);
    if (settings.inline_label_images) {
      const images = await inlineImages(backend, outcome.order.id, settings.label_image_format, baseUrl(request), logger);
      data.label_image = images.label;
      data.manifesto_image = images.manifesto;
      if (images.failed) messages.push(error('warning', MessageCode.labelNotReady, 'The label images could not be made just now; fetch them from label_url and manifesto_url.'));
    }
    messages.push(...(await addressChecked));
    logger.info('bestrx.create_order', { outcome: outcome.kind, order_id: outcome.order.id });
    return reply(res, 200, data, messages);
  });

  app.post('/Order/CancelOrder', async (request, res) => {
    const parsed = parseCancelOrder(request.body);
    if (!parsed.ok) return reply(res, 400, {}, problemMessages(parsed.problems));
    const v = parsed.value;
    const outcome = await backend.receiveCancelOrder({
      pharmacyId: v.store.bestrx_pharmacy_id,
      uniqueOrderId: v.bestrx_unique_order_id,
      bestrxOrderId: v.bestrx_order_id,
      providerOrderId: v.provider_order_id,
      trackingId: v.tracking_id,
      notes: v.notes,
    });
    const answer = cancelAnswer(outcome);
    // The seed asks for the ids to be echoed as sent; ours fill in what BestRx left out.
    const found = 'order' in outcome ? outcome.order : undefined;
    const data = {
      bestrx_order_id: v.bestrx_order_id,
      bestrx_unique_order_id: v.bestrx_unique_order_id,
      provider_order_id: v.provider_order_id ?? found?.id ?? null,
      tracking_id: v.tracking_id ?? found?.tracking_id ?? null,
      status: answer.accepted,
      status_reason: answer.reason,
    };
    const messages = [error(answer.accepted ? 'success' : 'error', answer.code, answer.reason)];
    if ('warnings' in outcome) {
      messages.push(...outcome.warnings.map((w) => error('warning', MessageCode.idMismatch, w)));
      logger.info('bestrx.cancel_order', { outcome: outcome.kind, order_id: outcome.order.id });
    }
    return reply(res, answer.httpStatus, data, messages);
  });

  app.post('/Address/ValidateAddress', async (request, res) => {
    const parsed = parseValidateAddress(request.body);
    if (!parsed.ok) return reply(res, 400, { suggested_address: [] }, problemMessages(parsed.problems));
    const result = await addressValidator.validate(parsed.value.address_to_validate);
    const suggestions = result.suggestions.map((a) => ({ ...a, address_line_2: a.address_line_2 ?? '' }));
    const messages = addressMessages(null, result);
    if (suggestions.length === 0 && !messages.some((m) => m.type === 'error')) {
      messages.push(error('error', MessageCode.addressCheck, 'No matching addresses found.'));
    }
    return reply(res, 200, { suggested_address: suggestions }, messages);
  });

  // The label and packing slip ("manifesto") of an order: /labels/<id>.png|jpg|gif|zpl and
  // /manifests/<id>.png|jpg|gif, with ?dpi=203 (default) or 300. Open with a signed link (as
  // CreateOrder hands them out) or BestRx's credentials. Each fetch is BestRx printing it, and
  // is recorded on the order's timeline, so a re-print shows.
  for (const [route, document] of [
    ['/labels/:file', 'label'],
    ['/manifests/:file', 'packing_slip'],
  ] as const) {
    app.get<{ Params: { file: string }; Querystring: { dpi?: string } }>(route, async (request, res) => {
      const file = /^([A-Za-z0-9-]{1,64})\.(png|jpe?g|gif|zpl)$/i.exec(request.params.file);
      const format = file ? FILE_FORMATS[file[2]!.toLowerCase()] : undefined;
      if (!file || !format || (format === 'zpl' && document !== 'label')) {
        return reply(res, 404, {}, [error('error', MessageCode.notFound, `No such ${document === 'label' ? 'label' : 'manifest'} file; use <provider_order_id>.png, .jpg, .gif${document === 'label' ? ' or .zpl' : ''}.`)]);
      }
      const dpi = request.query.dpi === undefined || request.query.dpi === '203' ? 203 : request.query.dpi === '300' ? 300 : undefined;
      if (dpi === undefined) return reply(res, 400, {}, [error('error', MessageCode.invalidField, 'dpi must be 203 or 300.')]);
      const [rendered] = (await backend.renderDocuments(file[1]!, [{ document, format, dpi }], baseUrl(request))) ?? [];
      if (!rendered) return reply(res, 404, {}, [error('error', MessageCode.orderNotFound, 'No order has this provider_order_id.')]);
      await backend.recordPrint(file[1]!, { document, copies: 1, printer: null, via: 'bestrx' }, BESTRX_ACTOR);
      return res
        .code(200)
        .type(rendered.mimeType)
        .header('content-disposition', `inline; filename="${rendered.filename}"`)
        .header('cache-control', 'private, no-store')
        .send(rendered.bytes);
    });
  }

  // The signature captured at the door, linked from UpdateOrderStatus's signature_url. Like
  // tracking links, the link is signed (checked in onRequest) and opens without credentials.
  app.get<{ Params: { file: string } }>('/signatures/:file', async (request, res) => {
    const eventId = /^([0-9a-f-]{36})\.png$/i.exec(request.params.file)?.[1]?.toLowerCase();
    const png = eventId ? await backend.signaturePng(eventId) : undefined;
    if (!png) return reply(res, 404, {}, [error('error', MessageCode.notFound, 'No signature at this link.')]);
    return res.code(200).type('image/png').header('cache-control', 'private, max-age=86400').send(png);
  });

  if (backend.partnerWebhook) {
    const handleWebhook = backend.partnerWebhook.bind(backend);
    app.post<{ Params: { partner: string } }>('/webhooks/:partner', { config: { partnerWebhook: true } }, async (request, res) => {
      const rawBody = rawBodies.get(request);
      if (rawBody === undefined) return res.code(400).send({ error: 'Send the event as JSON.' });
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const outcome = await handleWebhook(request.params.partner.toLowerCase(), rawBody, request.headers, query);
      return res.code(outcome.status).type('application/json; charset=utf-8').send(outcome.body);
    });
  }

  app.get<{ Params: { trackingId: string } }>('/track/:trackingId', async (request, res) => {
    const order = await backend.findByTrackingId(request.params.trackingId);
    if (!order) return reply(res, 404, {}, [error('error', MessageCode.orderNotFound, 'No order has this tracking id.')]);
    return reply(res, 200, { tracking_id: order.tracking_id, order_status: orderStatusData(order, codeTables()) }, []);
  });

  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  allowedHosts = allowedHostHeaders(options.host, port);
  const urlHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const displayHost = isWildcard(options.host) ? '127.0.0.1' : urlHost;
  return { url: `http://${displayHost}:${port}`, port, close: () => app.close(), configurationChanged: () => {} };
}

// ---- guards ------------------------------------------------------------------------------

/** The path alone: query strings are never logged or echoed. */
const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? '';

/** Links RxRelay hands out signed, to be opened without credentials. */
const SIGNED_LINK_PREFIXES = ['/signatures/', '/track/', '/labels/', '/manifests/'];

const FILE_FORMATS: Record<string, DocumentFormat | undefined> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', gif: 'gif', zpl: 'zpl' };


/** A GET of a link RxRelay signed. */
function isSignedLink(request: FastifyRequest, signer: UrlSigner): boolean {
  if (request.method !== 'GET' || !SIGNED_LINK_PREFIXES.some((prefix) => pathOf(request).startsWith(prefix))) return false;
  const signature = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1)).get('sig') ?? undefined;
  return request.url.includes('?') && signer.verify(pathOf(request), signature);
}

/** HTTP Basic, compared in constant time; the expected side is prepared once per credentials. */
export class BasicAuthCheck {
  private expected: BasicCredentials | undefined;
  private matches: (presented: string) => boolean = () => false;

  accepts(header: string | undefined, credentials: BasicCredentials): boolean {
    if (credentials !== this.expected) {
      this.expected = credentials;
      this.matches = secretMatcher(`${credentials.username}:${credentials.password}`);
    }
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    return this.matches(match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '');
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * The Host headers that name this listener. Bound to loopback: 127.0.0.1 and localhost with
 * the port. Bound to one address: that address. Bound to every interface (a pharmacy whose
 * BestRx runs on another PC): every local address and this machine's host name.
 */
export function allowedHostHeaders(bindHost: string, port: number): Set<string> {
  const hosts = new Set<string>();
  const add = (h: string) => hosts.add(`${h.includes(':') ? `[${h}]` : h}:${port}`.toLowerCase());
  if (LOOPBACK.has(bindHost)) {
    add('127.0.0.1');
    add('localhost');
  } else if (isWildcard(bindHost)) {
    add('localhost');
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) add(a.address);
    add(hostname());
  } else {
    add(bindHost);
  }
  return hosts;
}

// ---- answers -----------------------------------------------------------------------------

function problemMessages(problems: readonly FieldProblem[]): EnvelopeMessage[] {
  return problems.map((p) => ({
    type: 'error' as const,
    code: p.missing ? MessageCode.missingField : MessageCode.invalidField,
    text: `${p.field} ${p.problem}`,
  }));
}

function orderStatusData(order: OrderStateRow, tables: CodeTables) {
  const status = tables.status[order.status];
  return {
    date: order.status_changed_at,
    status_code: status.code,
    status_code_description: status.description,
    status_notes: order.return_requested_at ? 'Cancelled by BestRx after pickup; the package is being returned to the pharmacy.' : '',
  };
}

function createOrderData(order: OrderStateRow, parsed: ParsedCreateOrder, baseUrl: string, tables: CodeTables, signer: UrlSigner, format: LabelFileType) {
  const extension = IMAGE_FILE_EXTENSIONS[format];
  return {
    bestrx_order_id: parsed.content.bestrx_order_id,
    bestrx_unique_order_id: parsed.content.bestrx_unique_order_id,
    provider_order_id: order.id,
    tracking_id: order.tracking_id,
    // Signed, so the link opens for whoever BestRx shows it to; it shows the status only.
    tracking_url: `${baseUrl}${signedTrackingPath(signer, order.tracking_id)}`,
    bestrx_pharmacy_id: parsed.content.bestrx_pharmacy_id,
    // Signed like the tracking link: BestRx can open it (or hand it to a print service) as given.
    label_url: `${baseUrl}${signer.sign(`/labels/${order.id}.${extension}`)}`,
    label_image: '',
    label_file_type: tables.labelFileType[format],
    manifesto_url: `${baseUrl}${signer.sign(`/manifests/${order.id}.${extension}`)}`,
    manifesto_image: '',
    manifesto_file_type: tables.labelFileType[format],
    order_status: orderStatusData(order, tables),
  };
}

/**
 * The label and packing slip as base64 for CreateOrder's answer. The order is already stored:
 * a render that fails costs the images (the URLs still work), never the order's 200.
 */
async function inlineImages(
  backend: ProviderBackend,
  orderId: string,
  format: LabelFileType,
  baseUrl: string,
  logger: Logger,
): Promise<{ label: string; manifesto: string; failed: boolean }> {
  try {
    // One read of the order for both documents.
    const rendered = await backend.renderDocuments(
      orderId,
      [
        { document: 'label', format, dpi: 203 },
        { document: 'packing_slip', format, dpi: 203 },
      ],
      baseUrl,
    );
    const [label, manifesto] = rendered ?? [];
    if (!label || !manifesto) throw new Error(`order ${orderId} vanished before its label was made`);
    return { label: label.bytes.toString('base64'), manifesto: manifesto.bytes.toString('base64'), failed: false };
  } catch (err) {
    logger.error('bestrx.label_render_failed', { order_id: orderId, error: (err as Error).name });
    return { label: '', manifesto: '', failed: true };
  }
}

function createOrderMessages(outcome: CreateOrderOutcome): EnvelopeMessage[] {
  switch (outcome.kind) {
    case 'created':
      return [];
    case 'repeated':
      return [{ type: 'information', code: MessageCode.orderExists, text: 'This order was already received; nothing was changed.' }];
    case 'amended':
      return [
        {
          type: 'warning',
          code: MessageCode.orderUpdated,
          text: `Order updated${outcome.changed.length > 0 ? `: ${outcome.changed.join(', ')}` : ''}.`,
        },
      ];
    case 'locked':
      return [{ type: 'error', code: MessageCode.orderLocked, text: outcome.reason }];
  }
}

function totalMismatchMessages({ content, totalPartsSent }: ParsedCreateOrder): EnvelopeMessage[] {
  const sum = content.prescription_amount_cents + content.otc_amount_cents + content.tax_amount_cents;
  if (!totalPartsSent || sum === content.total_amount_cents) return [];
  return [
    {
      type: 'warning',
      code: MessageCode.totalMismatch,
      text:
        `total_amount ${formatDollars(content.total_amount_cents)} is not prescription_amount + otc_amount + tax_amount ` +
        `(${formatDollars(sum)}); the order was stored as sent.`,
    },
  ];
}

function addressMessages(prefix: string | null, result: { findings: readonly AddressFinding[] }): EnvelopeMessage[] {
  return result.findings
    .filter((f) => prefix === null || f.severity !== 'information')
    .map((f) => ({ type: f.severity, code: f.code, text: prefix ? `${prefix}: ${f.message}` : f.message }));
}

/** The order is already stored: an address check that fails must not turn its 200 into an error. */
async function recipientAddressMessages(validator: AddressValidator, parsed: ParsedCreateOrder, logger: Logger): Promise<EnvelopeMessage[]> {
  try {
    return addressMessages('Recipient address', await validator.validate(parsed.content.recipient.address));
  } catch (err) {
    logger.warn('bestrx.address_check_failed', { error: (err as Error).name });
    return [];
  }
}

function cancelAnswer(outcome: CancelOrderOutcome): { httpStatus: number; accepted: boolean; code: string; reason: string } {
  switch (outcome.kind) {
    case 'cancelled':
      return { httpStatus: 200, accepted: true, code: MessageCode.orderCancelled, reason: 'Order cancelled.' };
    case 'already_cancelled':
      return { httpStatus: 200, accepted: true, code: MessageCode.orderCancelled, reason: 'Order was already cancelled.' };
    case 'return_requested':
    case 'return_already_requested':
      return {
        httpStatus: 200,
        accepted: true,
        code: MessageCode.returnRequested,
        reason: 'Cancel accepted: the package has already left the pharmacy; the courier has been told to bring it back, and the order will end as Returned To Pharmacy/Store.',
      };
    case 'already_returned':
      return { httpStatus: 200, accepted: true, code: MessageCode.orderCancelled, reason: 'The package was already returned to the pharmacy.' };
    case 'delivered':
      return {
        httpStatus: 409,
        accepted: false,
        code: MessageCode.orderDelivered,
        reason: `The order was delivered (${outcome.order.status_changed_at}); it can no longer be cancelled.`,
      };
    case 'not_found':
      return { httpStatus: 404, accepted: false, code: MessageCode.orderNotFound, reason: outcome.reason };
    case 'conflicting_ids':
      return { httpStatus: 409, accepted: false, code: MessageCode.idMismatch, reason: outcome.reason };
  }
}
