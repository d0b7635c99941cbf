// What BestRx's listener needs from the rest of RxRelay, as one narrow interface: the listener
// parses, checks and answers; the order service (the one SQLite writer), the label renderer and
// the partner engine do the rest. Every method is asynchronous and takes and returns plain data
// (structured-clonable), so the same listener runs either beside them on the event loop
// (localProviderBackend) or on its own thread, reaching them through messages
// (threaded-provider-server.ts).
import type { DocumentRequest, DocumentService, RenderedBytes } from '../labels/document-service';
import { OrderNotFoundError, type CancelOrderOutcome, type CancelOrderRequest, type CreateOrderOutcome, type OrderService, type PrintRecord } from '../orders/order-service';
import type { OrderContent } from '../domain/order-content';
import type { ForegroundActivity } from '../foreground-activity';
import type { UrlSigner } from '../security/url-signer';
import type { OrderStateRow } from '../storage/orders-repository';
import type { WebhookHeaders } from '../partners/partner-connector';

/** One document of an order, as rendered for BestRx. */
export type OrderDocument = Omit<DocumentRequest, 'id'>;

export interface PartnerWebhookAnswer {
  status: number;
  body: object;
}

export interface ProviderBackend {
  /** `fingerprint` is requestFingerprint(rawBody), worked out where the body was read. */
  receiveCreateOrder(content: OrderContent, rawBody: string, fingerprint: string): Promise<CreateOrderOutcome>;
  receiveCancelOrder(request: CancelOrderRequest): Promise<CancelOrderOutcome>;
  /**
   * Documents of one order (its label, its packing slip), in the order asked, from one read of
   * the order; undefined when no order has this id. With `trackingUrlBase` (the listener's own
   * `http://host:port`), the label's QR code carries the order's signed tracking link under it.
   */
  renderDocuments(orderId: string, documents: readonly OrderDocument[], trackingUrlBase: string | undefined): Promise<RenderedBytes[] | undefined>;
  recordPrint(orderId: string, print: PrintRecord, actor: string): Promise<void>;
  signaturePng(eventId: string): Promise<Buffer | undefined>;
  findByTrackingId(trackingId: string): Promise<OrderStateRow | undefined>;
  /** A partner's webhook, authenticated by the partner's signature over the raw body. Absent: no webhook route. */
  partnerWebhook?(partner: string, rawBody: string, headers: WebhookHeaders, query: string): Promise<PartnerWebhookAnswer>;
}

export interface LocalProviderBackendDependencies {
  orders: Pick<OrderService, 'receiveCreateOrder' | 'receiveCancelOrder' | 'get' | 'recordPrint' | 'signaturePng' | 'findByTrackingId'>;
  documents: Pick<DocumentService, 'render'>;
  urlSigner: UrlSigner;
  /** Counts BestRx's CreateOrders and CancelOrders as foreground work (background work gives way). */
  foreground?: Pick<ForegroundActivity, 'during'> | undefined;
  partnerWebhook?: ((partner: string, rawBody: string, headers: WebhookHeaders, query: URLSearchParams) => Promise<PartnerWebhookAnswer>) | undefined;
}

/** The signed path of an order's tracking page, as CreateOrder hands it out. */
export function signedTrackingPath(signer: UrlSigner, trackingId: string): string {
  return signer.sign(`/track/${trackingId}`);
}

/** The backend on the listener's own event loop: direct calls. */
export function localProviderBackend(deps: LocalProviderBackendDependencies): ProviderBackend {
  const { orders, documents, urlSigner } = deps;
  const webhook = deps.partnerWebhook;
  const foreground = <T>(work: () => Promise<T>): Promise<T> => (deps.foreground ? deps.foreground.during(work) : work());
  return {
    receiveCreateOrder: (content, rawBody, fingerprint) => foreground(() => orders.receiveCreateOrder(content, rawBody, fingerprint)),
    receiveCancelOrder: (request) => foreground(() => orders.receiveCancelOrder(request)),
    async renderDocuments(orderId, wanted, trackingUrlBase) {
      let order;
      try {
        order = orders.get(orderId);
      } catch (err) {
        if (err instanceof OrderNotFoundError) return undefined;
        throw err;
      }
      const trackingUrl = trackingUrlBase === undefined ? undefined : `${trackingUrlBase}${signedTrackingPath(urlSigner, order.tracking_id)}`;
      return Promise.all(wanted.map((document) => documents.render({ id: orderId, ...document }, order, trackingUrl)));
    },
    async recordPrint(orderId, print, actor) {
      await orders.recordPrint(orderId, print, actor);
    },
    signaturePng: async (eventId) => orders.signaturePng(eventId),
    findByTrackingId: async (trackingId) => orders.findByTrackingId(trackingId),
    ...(webhook ? { partnerWebhook: (partner, rawBody, headers, query) => webhook(partner, rawBody, headers, new URLSearchParams(query)) } : {}),
  };
}
