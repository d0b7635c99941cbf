// BestRx's side of the provider API: what BestRx sends to RxRelay's CreateOrder,
// ValidateAddress and CancelOrder, sent the way BestRx sends it — JSON bodies with HTTP Basic
// credentials, from a program rather than a browser (so no Origin header). Used by the sandbox's
// demo stream and by tests that drive the real endpoint.
import type { BestRxAddressBody, CancelOrderBody, CreateOrderBody, ValidateAddressBody } from './bestrx-request-bodies';
import { seedCancelOrderBody, seedCreateOrderBody, seedValidateAddressBody } from './seed-examples';

export const PROVIDER_PATHS = {
  createOrder: '/Order/CreateOrder',
  validateAddress: '/Address/ValidateAddress',
  cancelOrder: '/Order/CancelOrder',
} as const;

/** BestRx gives a provider this long to answer before it counts the call as failed (its value is not published). */
export const DEFAULT_CLIENT_TIMEOUT_MS = 30_000;

export interface BestRxClientOptions {
  /** RxRelay's provider endpoint, e.g. http://127.0.0.1:8410 */
  baseUrl: string;
  credentials: { username: string; password: string };
  timeoutMs?: number;
}

export interface ProviderMessage {
  message_code: string;
  message: string;
  message_type: number;
}

/** RxRelay's answer envelope. `data` is partial because error answers carry `{}`. */
export interface ProviderEnvelope<D> {
  data: Partial<D>;
  request_is_valid: boolean | string;
  messages: ProviderMessage[];
}

export interface ProviderResponse<D> {
  status: number;
  /** Null when the answer was not JSON. */
  body: ProviderEnvelope<D> | null;
}

export interface ProviderOrderStatus {
  date: string;
  status_code: string;
  status_code_description: string;
  status_notes: string;
}

export interface CreateOrderAnswer {
  bestrx_order_id: number;
  bestrx_unique_order_id: number;
  provider_order_id: string;
  tracking_id: string;
  tracking_url: string;
  bestrx_pharmacy_id: string;
  label_url: string;
  label_image: string;
  label_file_type: number;
  manifesto_url: string;
  manifesto_image: string;
  manifesto_file_type: number;
  order_status: ProviderOrderStatus;
}

export interface CancelOrderAnswer {
  bestrx_order_id: number;
  bestrx_unique_order_id: number;
  provider_order_id: string | null;
  tracking_id: string | null;
  status: boolean;
  status_reason: string;
}

export interface ValidateAddressAnswer {
  suggested_address: BestRxAddressBody[];
}

/** The CancelOrder BestRx sends for an order it created earlier, with the ids RxRelay answered. */
export function cancelOrderBodyFor(
  order: CreateOrderBody,
  ids: { provider_order_id: string; tracking_id: string },
  notes = 'Shipment Cancelled',
): CancelOrderBody {
  return {
    bestrx_order_id: order.bestrx_order_id,
    bestrx_unique_order_id: order.bestrx_unique_order_id,
    provider_order_id: ids.provider_order_id,
    tracking_id: ids.tracking_id,
    store: structuredClone(order.store),
    notes,
  };
}

export class BestRxClient {
  private readonly baseUrl: string;
  private readonly authorization: string;
  private readonly timeoutMs: number;

  constructor(options: BestRxClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.authorization = `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`, 'utf8').toString('base64')}`;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
  }

  createOrder(body: CreateOrderBody): Promise<ProviderResponse<CreateOrderAnswer>> {
    return this.post(PROVIDER_PATHS.createOrder, body);
  }

  validateAddress(body: ValidateAddressBody): Promise<ProviderResponse<ValidateAddressAnswer>> {
    return this.post(PROVIDER_PATHS.validateAddress, body);
  }

  cancelOrder(body: CancelOrderBody): Promise<ProviderResponse<CancelOrderAnswer>> {
    return this.post(PROVIDER_PATHS.cancelOrder, body);
  }

  /** The seed's CreateOrder (unique order id 1001 unless overridden). */
  seedCreateOrder(overrides: Partial<CreateOrderBody> = {}): Promise<ProviderResponse<CreateOrderAnswer>> {
    return this.createOrder(seedCreateOrderBody(overrides));
  }

  /** The seed's CancelOrder; pass the ids of an order RxRelay created to cancel it. */
  seedCancelOrder(overrides: Partial<CancelOrderBody> = {}): Promise<ProviderResponse<CancelOrderAnswer>> {
    return this.cancelOrder(seedCancelOrderBody(overrides));
  }

  /** The seed's ValidateAddress (908 ATLANTIC AVE APT A APT A, Hoffman Estates). */
  seedValidateAddress(overrides: Partial<ValidateAddressBody> = {}): Promise<ProviderResponse<ValidateAddressAnswer>> {
    return this.validateAddress(seedValidateAddressBody(overrides));
  }

  /** Any JSON body to any path, with BestRx's headers: for tests of what the endpoint refuses. */
  async post<D = Record<string, unknown>>(path: string, body: unknown): Promise<ProviderResponse<D>> {
    const response = await fetch(this.baseUrl + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: this.authorization },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    let parsed: ProviderEnvelope<D> | null;
    try {
      parsed = JSON.parse(text) as ProviderEnvelope<D>;
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed };
  }
}
