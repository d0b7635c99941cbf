// The sandbox's stream of demo orders: BestRx sending RxRelay a new realistic order every so
// often, and now and then cancelling one it sent earlier, so a new user sees the whole flow
// move without configuring anything.
//
// One call at a time: the next one is scheduled only after the previous has settled, so a slow
// or unreachable endpoint never piles calls up. A failed call is logged and the stream goes on.
// Logs carry ids and HTTP statuses only, never names or addresses.
import type { Logger } from '../../logger';
import { chance, pickOne, type RandomSource } from '../seeded-random';
import { cancelOrderBodyFor, type CancelOrderAnswer, type CreateOrderAnswer, type ProviderResponse } from './bestrx-client';
import type { CancelOrderBody, CreateOrderBody } from './bestrx-request-bodies';
import { generateRealisticOrder } from './realistic-orders';

/** Gentle: a new order about every 45 s keeps the board alive without flooding it. */
export const DEFAULT_DEMO_ORDER_INTERVAL_MS = 45_000;
const DEFAULT_JITTER = 0.25;
const DEFAULT_CANCEL_CHANCE = 0.1;
/** Cancel candidates kept: the most recent orders only, so memory stays flat over a long demo. */
const MAX_REMEMBERED_ORDERS = 50;

/** What the stream needs of BestRxClient (a test may pass a fake). */
export interface DemoOrderClient {
  createOrder(body: CreateOrderBody): Promise<ProviderResponse<CreateOrderAnswer>>;
  cancelOrder(body: CancelOrderBody): Promise<ProviderResponse<CancelOrderAnswer>>;
}

export interface DemoOrderEvent {
  action: 'create' | 'cancel';
  bestrxUniqueOrderId: number;
  /** RxRelay's id for the order, when it answered with one. */
  providerOrderId: string | null;
  /** Null when the call failed without an answer. */
  httpStatus: number | null;
  /** For a cancel: whether RxRelay accepted it (`data.status`). */
  accepted: boolean | null;
  /** The error's name when the call failed without an answer. */
  error: string | null;
}

export interface DemoOrderStreamOptions {
  client: DemoOrderClient;
  /** Average wait between calls. */
  intervalMs: number;
  random: RandomSource;
  logger: Logger;
  /** Told about every call, after it settled. */
  onOrder?: (event: DemoOrderEvent) => void;
  /** Each wait is intervalMs × (1 ± jitter); default 0.25. */
  jitter?: number;
  /** The chance that a call cancels an earlier order instead of creating one; default 0.1. */
  cancelChance?: number;
  /** Wait before the first order; default min(intervalMs, 2 s), so a new user sees one at once. */
  firstOrderAfterMs?: number;
  /**
   * Whether RxRelay would still cancel an order. By default every order the stream created and
   * has not cancelled is a candidate (RxRelay refuses delivered ones with a 409, which is logged).
   */
  isCancellable?: (providerOrderId: string) => boolean;
  /** The day generated orders are filled and picked up (default: now). */
  today?: () => Date;
}

export interface DemoOrderStream {
  /** Stops scheduling; resolves once a call in flight (if any) has settled. */
  stop(): Promise<void>;
}

interface CreatedOrder {
  body: CreateOrderBody;
  providerOrderId: string;
  trackingId: string;
}

export function startDemoOrderStream(options: DemoOrderStreamOptions): DemoOrderStream {
  const { client, random, logger } = options;
  const jitter = options.jitter ?? DEFAULT_JITTER;
  const cancelChance = options.cancelChance ?? DEFAULT_CANCEL_CHANCE;
  const usedUniqueOrderIds = new Set<number>();
  let created: CreatedOrder[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = tick().finally(() => {
        inFlight = undefined;
        schedule(options.intervalMs * (1 - jitter + 2 * jitter * random()));
      });
    }, Math.max(0, delayMs));
    timer.unref(); // the demo never keeps the process alive on its own
  };

  const report = (event: DemoOrderEvent) => {
    const fields = {
      action: event.action,
      bestrx_unique_order_id: event.bestrxUniqueOrderId,
      provider_order_id: event.providerOrderId,
      http_status: event.httpStatus,
      accepted: event.accepted,
      error: event.error,
    };
    const expected = event.httpStatus === 200 || (event.action === 'cancel' && (event.httpStatus === 404 || event.httpStatus === 409));
    if (expected) logger.info('sandbox.demo_order', fields);
    else logger.warn('sandbox.demo_order_failed', fields);
    try {
      options.onOrder?.(event);
    } catch (error) {
      logger.warn('sandbox.demo_order_listener_failed', { error: (error as Error).name });
    }
  };

  async function createOne(): Promise<void> {
    const body = generateRealisticOrder(random, { usedUniqueOrderIds, today: options.today?.() });
    const uniqueId = Number(body.bestrx_unique_order_id);
    usedUniqueOrderIds.add(uniqueId);
    try {
      const response = await client.createOrder(body);
      const data = response.body?.data;
      const providerOrderId = typeof data?.provider_order_id === 'string' ? data.provider_order_id : null;
      if (response.status === 200 && providerOrderId && typeof data?.tracking_id === 'string') {
        created = [...created, { body, providerOrderId, trackingId: data.tracking_id }].slice(-MAX_REMEMBERED_ORDERS);
      }
      report({ action: 'create', bestrxUniqueOrderId: uniqueId, providerOrderId, httpStatus: response.status, accepted: null, error: null });
    } catch (error) {
      report({ action: 'create', bestrxUniqueOrderId: uniqueId, providerOrderId: null, httpStatus: null, accepted: null, error: (error as Error).name });
    }
  }

  async function cancelOne(order: CreatedOrder): Promise<void> {
    created = created.filter((o) => o !== order); // cancelled or refused, it is not a candidate again
    const uniqueId = Number(order.body.bestrx_unique_order_id);
    try {
      const response = await client.cancelOrder(
        cancelOrderBodyFor(order.body, { provider_order_id: order.providerOrderId, tracking_id: order.trackingId }, 'Patient no longer needs delivery'),
      );
      const accepted = typeof response.body?.data?.status === 'boolean' ? response.body.data.status : null;
      report({ action: 'cancel', bestrxUniqueOrderId: uniqueId, providerOrderId: order.providerOrderId, httpStatus: response.status, accepted, error: null });
    } catch (error) {
      report({ action: 'cancel', bestrxUniqueOrderId: uniqueId, providerOrderId: order.providerOrderId, httpStatus: null, accepted: null, error: (error as Error).name });
    }
  }

  async function tick(): Promise<void> {
    try {
      if (chance(random, cancelChance)) {
        const candidates = created.filter((o) => options.isCancellable?.(o.providerOrderId) ?? true);
        if (candidates.length > 0) return await cancelOne(pickOne(random, candidates));
      }
      await createOne();
    } catch (error) {
      // Only a bug in the stream itself gets here (calls report their own failures); keep going.
      logger.error('sandbox.demo_order_stream_error', { error: (error as Error).name });
    }
  }

  schedule(options.firstOrderAfterMs ?? Math.min(options.intervalMs, 2_000));
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}
