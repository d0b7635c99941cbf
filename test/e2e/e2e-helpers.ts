// What the end-to-end specs share: orders sent the way BestRx sends them, the app API with the
// session's token, a second recipient, screenshots and the accessibility check.
import AxeBuilder from '@axe-core/playwright';
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import type { AppApiReply } from '../../src-shared/app-api-contract';
import { seedExample } from '../helpers/fixtures';
import { API_TOKEN, BESTRX_PASSWORD, BESTRX_URL, BESTRX_USER } from './e2e-env';

export const SCREENSHOTS = 'test-results/screenshots';

export interface CreatedOrder {
  providerOrderId: string;
  trackingId: string;
  uniqueOrderId: number;
}

let lastUniqueId = 0;
/** Unique per call, and across runs and worker restarts against the same data directory. */
export function nextUniqueOrderId(): number {
  lastUniqueId = Math.max(lastUniqueId + 1, Date.now() % 1_000_000_000);
  return lastUniqueId;
}

/** POST /Order/CreateOrder as BestRx does: Basic auth, JSON, no Origin (APIRequestContext sends none). */
export async function createOrder(request: APIRequestContext, overrides: Record<string, unknown> = {}): Promise<CreatedOrder> {
  const uniqueOrderId = nextUniqueOrderId();
  const body = { ...seedExample('create-order.request'), bestrx_order_id: uniqueOrderId, bestrx_unique_order_id: uniqueOrderId, ...overrides };
  const response = await request.post(`${BESTRX_URL}/Order/CreateOrder`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${BESTRX_USER}:${BESTRX_PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    data: body,
  });
  const json = (await response.json()) as { request_is_valid: boolean; data: { provider_order_id: string; tracking_id: string } };
  expect(response.status(), JSON.stringify(json)).toBe(200);
  expect(json.request_is_valid).toBe(true);
  return { providerOrderId: json.data.provider_order_id, trackingId: json.data.tracking_id, uniqueOrderId };
}

/** The app API with the session's token (same as the page does, minus the browser). */
export async function appApi<T>(request: APIRequestContext, method: string, input: object): Promise<{ status: number; reply: AppApiReply<T> }> {
  const response = await request.post(`/api/${method}`, { headers: { authorization: `Bearer ${API_TOKEN}` }, data: input });
  return { status: response.status(), reply: (await response.json()) as AppApiReply<T> };
}

/** A second recipient that shares no searchable word with the seed's Jane Doe. */
export const MARCUS = {
  recipient: {
    first_name: 'Marcus',
    last_name: 'Okafor',
    address: { address_line_1: '1200 Maple Ln', city: 'Lombard', state: 'IL', zip_code: '60148' },
    mobile_phone: '6305553333',
    email: 'm.okafor@example.com',
  },
  customers: [
    {
      customer_unique_id: 111111,
      first_name: 'Marcus',
      last_name: 'Okafor',
      address: { address_line_1: '1200 Maple Ln', city: 'Lombard', state: 'IL', zip_code: '60148' },
    },
  ],
};

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** No serious or critical axe violations on the page (or inside `include`). */
export async function expectNoSeriousA11yProblems(page: Page, where: string, include?: string): Promise<void> {
  const builder = new AxeBuilder({ page });
  const results = await (include ? builder.include(include) : builder).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}
