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

export interface PartnerWebhookAnswer {
  status: number;
  body: object;
}

export interface ProviderBackend {
  receiveCreateOrder(content: OrderContent, rawBody: string): Promise<CreateOrderOutcome>;
  receiveCancelOrder(request: CancelOrderRequest): Promise<CancelOrderOutcome>;
  /**
   * An order's label or packing slip; undefined when no order has this id. With
   * `trackingUrlBase` (the listener's own `http://host:port`), the label's QR code carries the
   * order's signed tracking link under it.
   */
  renderDocument(request: DocumentRequest, trackingUrlBase: string | undefined): Promise<RenderedBytes | undefined>;
  recordPrint(orderId: string, print: PrintRecord, actor: string): Promise<void>;
  signaturePng(eventId: string): Promise<Buffer | undefined>;
  findByTrackingId(trackingId: string): Promise<OrderStateRow | undefined>;
  /** A partner's webhook, authenticated by the partner's signature over the raw body. Absent: no webhook route. */
  partnerWebhook?(partner: string, rawBody: string, headers: Readonly<Record<string, string | string[] | undefined>>, query: string): Promise<PartnerWebhookAnswer>;
}

export interface LocalProviderBackendDependencies {
  orders: Pick<OrderService, 'receiveCreateOrder' | 'receiveCancelOrder' | 'get' | 'recordPrint' | 'signaturePng' | 'findByTrackingId'>;
  documents: Pick<DocumentService, 'render'>;
  urlSigner: UrlSigner;
  /** Counts BestRx's CreateOrders and CancelOrders as foreground work (background work gives way). */
  foreground?: Pick<ForegroundActivity, 'during'> | undefined;
  partnerWebhook?: ((partner: string, rawBody: string, headers: Readonly<Record<string, string | string[] | undefined>>, query: URLSearchParams) => Promise<PartnerWebhookAnswer>) | undefined;
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
    receiveCreateOrder: (content, rawBody) => foreground(() => orders.receiveCreateOrder(content, rawBody)),
    receiveCancelOrder: (request) => foreground(() => orders.receiveCancelOrder(request)),
    async renderDocument(request, trackingUrlBase) {
      let order;
      try {
        order = orders.get(request.id);
      } catch (err) {
        if (err instanceof OrderNotFoundError) return undefined;
        throw err;
      }
      const trackingUrl = trackingUrlBase === undefined ? undefined : `${trackingUrlBase}${signedTrackingPath(urlSigner, order.tracking_id)}`;
      return documents.render(request, order, trackingUrl);
    },
    async recordPrint(orderId, print, actor) {
      await orders.recordPrint(orderId, print, actor);
    },
    signaturePng: async (eventId) => orders.signaturePng(eventId),
    findByTrackingId: async (trackingId) => orders.findByTrackingId(trackingId),
    ...(webhook ? { partnerWebhook: (partner, rawBody, headers, query) => webhook(partner, rawBody, headers, new URLSearchParams(query)) } : {}),
  };
}
