// How long BestRx has been quiet, as the status-push worker sees it.
import { describe, expect, it } from 'vitest';
import { ForegroundActivity } from '../../src-main/core/foreground-activity';
import { localProviderBackend } from '../../src-main/core/bestrx/provider-backend';
import { UrlSigner } from '../../src-main/core/security/url-signer';
import type { CreateOrderOutcome } from '../../src-main/core/orders/order-service';
import type { OrderContent } from '../../src-main/core/domain/order-content';

describe('foreground activity', () => {
  it('is never quiet while a request is answered, and counts the quiet from when the last one ended', async () => {
    let now = 500;
    const activity = new ForegroundActivity(() => now);
    let finishFirst!: () => void;
    const first = activity.during(() => new Promise<void>((resolve) => (finishFirst = resolve)));
    const second = activity.during(async () => 'answered');
    await expect(second).resolves.toBe('answered');
    now += 100;
    // The second ended, but the first is still being answered.
    expect(activity.quietForMs()).toBe(0);
    finishFirst();
    await first;
    expect(activity.quietForMs()).toBe(0);
    now += 30;
    expect(activity.quietForMs()).toBe(30);
  });

  it('is quiet from the start when nothing has been asked', () => {
    const activity = new ForegroundActivity(() => 0);
    expect(activity.quietForMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it("counts BestRx's CreateOrder and CancelOrder, answered through the provider backend", async () => {
    const activity = new ForegroundActivity(() => 0);
    const seen: number[] = [];
    const backend = localProviderBackend({
      orders: {
        receiveCreateOrder: async () => {
          seen.push(activity.quietForMs());
          return {} as CreateOrderOutcome;
        },
        receiveCancelOrder: async () => {
          seen.push(activity.quietForMs());
          throw new Error('no such order');
        },
        get: () => {
          throw new Error('unused');
        },
        recordPrint: async () => 0,
        signaturePng: () => undefined,
        findByTrackingId: () => undefined,
      },
      documents: { render: () => Promise.reject(new Error('unused')) },
      urlSigner: new UrlSigner(Buffer.alloc(32, 7)),
      foreground: activity,
    });
    await backend.receiveCreateOrder({} as OrderContent, '{}', 'fingerprint');
    await expect(backend.receiveCancelOrder({ bestrx_pharmacy_id: '1', provider_order_id: 'x' } as never)).rejects.toThrow('no such order');
    // Without the backend counting them, nothing would have been asked yet: quiet forever.
    expect(seen).toEqual([0, 0]);
  });
});
