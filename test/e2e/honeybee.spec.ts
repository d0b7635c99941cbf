// Honeybee Health end to end: the headless app (started by playwright.config.ts) in sandbox mode
// with the Honeybee simulator. An e-prescription reaches Honeybee for a patient whose order BestRx
// sent; staff match it to that order under Incoming prescriptions, send the order to Honeybee from
// its detail panel and follow it to Delivered while BestRx hears of it. An order Honeybee holds
// shows why and what to do, and takes a new address; an order Honeybee makes by itself
// (Automatic Processing) appears on the board flagged "From Honeybee", and BestRx hears nothing of
// it. The simulator moves an order on every RXRELAY_SANDBOX_STEP_MS (1.5 s here, see e2e-env.ts).
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import type { AppApiOutput, IncomingPrescriptionView, OrderDetail, PartnerStatusView } from '../../src-shared/app-api-contract';
import { appApi, createOrder, expectNoSeriousA11yProblems, screenshot, type CreatedOrder } from './e2e-helpers';

/** A partner journey: a handful of simulator steps, each picked up by webhook or polling. */
const JOURNEY_MS = 45_000;

/** A patient BestRx sends an order for, paid already (a partner collects nothing at the door); one per test, so suggestions are unambiguous. */
function patient(first: string, last: string, email: string) {
  const address = { address_line_1: '1200 Maple Ln', city: 'Lombard', state: 'IL', zip_code: '60148' };
  return {
    amount_to_collect: 0,
    recipient: { first_name: first, last_name: last, address, mobile_phone: '6305553333', email },
    customers: [{ customer_unique_id: 222000 + first.length * 100 + last.length, first_name: first, last_name: last, address }],
  };
}

type SandboxPrescription = AppApiOutput<'sandbox.partnerPrescription'>;

/** The sandbox's stand-in for a prescriber: an e-prescription reaches the Honeybee simulator for the patient of `order`. */
async function prescribe(request: APIRequestContext, order: CreatedOrder, workflow: 'requested' | 'automatic'): Promise<SandboxPrescription> {
  const { status, reply } = await appApi<SandboxPrescription>(request, 'sandbox.partnerPrescription', { partner: 'honeybee', order_id: order.providerOrderId, workflow });
  expect(status, JSON.stringify(reply)).toBe(200);
  expect(reply.ok, JSON.stringify(reply)).toBe(true);
  return reply.ok ? reply.value : ({} as SandboxPrescription);
}

/** Opens the board with its live-event stream. */
async function openBoard(page: Page): Promise<void> {
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/events' && r.status() === 200);
  await page.goto('/');
  await stream;
}

async function openOrder(page: Page, orderId: string, name: string): Promise<Locator> {
  await page.getByRole('region', { name: 'Orders' }).getByRole('listitem').filter({ hasText: orderId }).getByRole('button').click();
  const detail = page.getByRole('region', { name: `Order ${orderId}` });
  await expect(detail.getByRole('heading', { level: 2 })).toHaveText(name);
  return detail;
}

const fact = (scope: Locator, term: string): Locator => scope.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
const views = (page: Page) => page.getByRole('navigation', { name: 'Views' });

interface ReceivedPush {
  received_at: string;
  payload: { order_status: { status_code: string; status_Code_description?: string; status_notes?: string | null } };
}

async function received(request: APIRequestContext, orderId: string): Promise<ReceivedPush[]> {
  const reply = (await appApi<{ pushes: ReceivedPush[] }>(request, 'sandbox.bestrxReceived', { order_id: orderId })).reply;
  return reply.ok ? [...reply.value.pushes].sort((a, b) => a.received_at.localeCompare(b.received_at)) : [];
}

test('an e-prescription at Honeybee is matched to its order, the order is sent to Honeybee and followed to Delivered; BestRx hears each step in order', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  const order = await createOrder(request, patient('Priya', 'Raman', 'priya.raman@example.com'));
  await openBoard(page);
  const rx = await prescribe(request, order, 'requested');
  expect(rx.prescription_ids).toHaveLength(1);
  const prescriptionId = rx.prescription_ids[0] as string;

  const incoming = page.getByRole('region', { name: 'Incoming prescriptions' });
  const card = incoming.getByRole('article').filter({ hasText: new RegExp(`Honeybee Health prescription ${prescriptionId}(?!\\d)`) });

  await test.step('the prescription waits under Incoming prescriptions (counted in the navigation), with Honeybee’s patient and the order it may be for', async () => {
    const nav = views(page).getByRole('button', { name: /^Incoming prescriptions/ });
    await expect(nav).toHaveAccessibleName(/^Incoming prescriptions \d+ waiting$/);
    await nav.click();
    await expect(card).toBeVisible({ timeout: JOURNEY_MS });
    await expect(card.getByRole('heading', { level: 3 })).toHaveText(/^ATORVASTATIN 10MG TABLET for Priya Raman$/);
    await expect(fact(card, 'Patient')).toHaveText('Priya Raman');
    await expect(fact(card, 'Date of birth')).toHaveText(/^January 1, 1960 \(age \d+\)$/);
    await expect(fact(card, 'Email')).toHaveText('priya.raman@example.com');
    await expect(fact(card, 'Quantity')).toHaveText('90');
    await expect(fact(card, 'Refills')).toHaveText('2 left');
    await expect(card).toContainText('Waiting for a match');
    await expect(card).not.toContainText('Controlled');
    await expectNoSeriousA11yProblems(page, 'incoming prescriptions');
    await screenshot(page, 'honeybee-incoming');
  });

  await test.step('one click matches it to the order; the order opens from there', async () => {
    const match = card.getByRole('button', { name: `Match to Priya Raman (order ${order.providerOrderId}, matched by email)` });
    await match.click();
    await expect(incoming.getByRole('status')).toHaveText(new RegExp(`^Matched: ATORVASTATIN 10MG TABLET is for Priya Raman, order ${order.providerOrderId}\\.`));
    await expect(incoming.getByRole('status')).toBeFocused();
    await expect(card).toContainText(`Matched to order ${order.providerOrderId}: not sent yet`);
    await expect(card.getByRole('button', { name: /^Match to/ })).toHaveCount(0);
    await screenshot(page, 'honeybee-incoming-matched');
    await card.getByRole('button', { name: `Open order ${order.providerOrderId}` }).click();
  });

  const detail = page.getByRole('region', { name: `Order ${order.providerOrderId}` });
  const form = detail.getByRole('form', { name: 'Send to partner' });

  await test.step('the dispatch form for Honeybee: the matched prescription ticked, in packs, the shipping method, the address and the patient', async () => {
    await expect(views(page).getByRole('button', { name: 'Board' })).toHaveAttribute('aria-pressed', 'true');
    await expect(detail.getByRole('heading', { level: 2 })).toHaveText('Priya Raman');
    // The button pressed is gone with the view: the order takes the keyboard focus.
    await expect(detail.getByRole('heading', { level: 2 })).toBeFocused();
    await detail.getByRole('group', { name: 'Fulfilment partner' }).getByRole('button', { name: 'Send to partner…' }).click();
    const partner = form.getByRole('combobox', { name: 'Partner' });
    await expect(partner.locator('option', { hasText: 'Honeybee Health' })).toHaveText('Honeybee Health (sandbox)');
    await partner.selectOption('honeybee');
    const fills = form.getByRole('group', { name: /^Matched to this order/ });
    await expect(fills).toHaveAccessibleName('Matched to this order (1 of 1 chosen)');
    await expect(fills.getByRole('checkbox', { name: /^ATORVASTATIN 10MG TABLET · 90 written · 2 refills left/ })).toBeChecked();
    await expect(fills.getByRole('spinbutton', { name: 'Packs of ATORVASTATIN 10MG TABLET' })).toHaveValue('1');
    await expect(fills.getByRole('spinbutton', { name: 'Units per pack of ATORVASTATIN 10MG TABLET' })).toHaveValue('90');
    const shipping = form.getByRole('combobox', { name: 'Shipping method' });
    await expect(shipping.locator('option')).toHaveText(['Standard (USPS)', 'Two-day (UPS)', 'Overnight (FedEx)']);
    await expect(form).toContainText('Ship to: 1200 Maple Ln, Lombard, IL 60148 (the order’s delivery address)');
    await expect(form.getByRole('checkbox', { name: 'Ship to the address on the e-prescription instead' })).not.toBeChecked();
    await expect(form.getByRole('textbox', { name: 'Email' })).toHaveValue('priya.raman@example.com');
    await expect(form.getByRole('combobox', { name: 'Gender' })).toBeVisible();
    await expect(form).toContainText(/Honeybee Health has Priya Raman born January 1, 1960/);
    // United's and CaryRx's fields are not Honeybee's.
    await expect(form.getByRole('combobox', { name: 'Pharmacy' })).toHaveCount(0);
    await expect(form.getByRole('checkbox', { name: /central fill/ })).toHaveCount(0);
    await expect(form.getByRole('button', { name: /Find the patient’s prescriptions/ })).toHaveCount(0);

    // Three bottles of 30, two-day.
    await fills.getByRole('spinbutton', { name: 'Packs of ATORVASTATIN 10MG TABLET' }).fill('3');
    await fills.getByRole('spinbutton', { name: 'Units per pack of ATORVASTATIN 10MG TABLET' }).fill('30');
    await expect(fills).toContainText('= 90 units');
    await shipping.selectOption({ label: 'Two-day (UPS)' });
    await form.getByRole('combobox', { name: 'Gender' }).selectOption('F');
    await expectNoSeriousA11yProblems(page, 'Honeybee dispatch form');
    await screenshot(page, 'honeybee-dispatch-form');
  });

  await test.step('a pack count of 0 is refused by the core, naming the prescription; with 3 the order goes to Honeybee', async () => {
    const packs = form.getByRole('spinbutton', { name: 'Packs of ATORVASTATIN 10MG TABLET' });
    await packs.fill('0');
    await form.getByRole('button', { name: 'Send to Honeybee Health' }).click();
    const alert = form.getByRole('alert');
    await expect(alert).toContainText('Not sent.');
    await expect(alert).toContainText('ATORVASTATIN 10MG TABLET');
    await expect(packs).toHaveAttribute('aria-invalid', 'true');
    await screenshot(page, 'honeybee-dispatch-refused');
    await packs.fill('3');
    await form.getByRole('button', { name: 'Send to Honeybee Health' }).click();
    await expect(form).toBeHidden();
  });

  const partner = detail.getByRole('region', { name: 'Partner', exact: true });
  const headline = partner.getByRole('status').first();

  await test.step('Honeybee’s progress shows on the order until it is delivered, with carrier and tracking', async () => {
    await expect(headline).toHaveText(/^(Sending to Honeybee Health|With Honeybee Health|Honeybee Health is done with it)/);
    await expect(detail.getByRole('list', { name: 'Timeline' })).toContainText('Sent to partner');
    await expect(headline).toHaveText(/^Honeybee Health is done with it — delivered$/, { timeout: JOURNEY_MS });
    await expect(detail.getByTestId('status-badge')).toHaveText('Delivered', { timeout: JOURNEY_MS });
    await expect(fact(partner, 'Carrier')).not.toHaveText('—');
    await expect(fact(partner, 'Partner’s ids')).toContainText('Order');
    await expect(detail.getByRole('list', { name: 'Timeline' })).toContainText('Partner update by Honeybee Health');
    await expect(partner.getByRole('group', { name: 'Reorder' }).getByRole('button', { name: 'Reorder…' })).toBeVisible();
    await expectNoSeriousA11yProblems(page, 'Honeybee delivered order');
    await screenshot(page, 'honeybee-delivered');
  });

  await test.step('BestRx was told, in order: Acknowledged, Picked Up, In Transit, Delivered', async () => {
    let pushes: ReceivedPush[] = [];
    await expect
      .poll(
        async () => {
          pushes = await received(request, order.providerOrderId);
          return pushes.map((p) => p.payload.order_status.status_code);
        },
        { timeout: JOURNEY_MS },
      )
      .toEqual(['2', '4', '5', '7']);
    expect(pushes.map((p) => p.payload.order_status.status_Code_description)).toEqual([
      expect.stringMatching(/Acknowledged/i),
      expect.stringMatching(/Picked Up/i),
      expect.stringMatching(/In Transit/i),
      expect.stringMatching(/Delivered/i),
    ]);
    // In Transit names Honeybee's carrier and tracking, as the order shows them.
    const carrier = (await fact(partner, 'Carrier').innerText()).trim();
    const tracking = (await fact(partner, 'Tracking number').innerText()).trim();
    expect(pushes[2]?.payload.order_status.status_notes).toContain(carrier);
    expect(pushes[2]?.payload.order_status.status_notes).toContain(tracking);
    const got = (await appApi<OrderDetail>(request, 'orders.get', { id: order.providerOrderId })).reply;
    expect(got.ok && got.value.partner, JSON.stringify(got)).toMatchObject({ partner: 'honeybee', state: 'finished' });
  });

  await test.step('the prescription shows as filled with “Show filled and set aside”', async () => {
    await views(page).getByRole('button', { name: /^Incoming prescriptions/ }).click();
    await expect(card).toHaveCount(0);
    await incoming.getByRole('checkbox', { name: 'Show filled and set aside' }).check();
    await expect(card).toContainText(`Fill requested (order ${order.providerOrderId})`);
    await expect(card.getByRole('button', { name: `Open order ${order.providerOrderId}` })).toBeVisible();
    await screenshot(page, 'honeybee-incoming-filled');
    await card.getByRole('button', { name: `Open order ${order.providerOrderId}` }).click();
  });

  await test.step('a reorder makes a new order from Honeybee on the board and opens it', async () => {
    const reorder = partner.getByRole('group', { name: 'Reorder' });
    await reorder.getByRole('button', { name: 'Reorder…' }).click();
    await expect(reorder).toContainText('Honeybee Health ships the same prescriptions again, as a new order on the board');
    await reorder.getByRole('button', { name: 'Yes, reorder from Honeybee Health' }).click();
    const opened = page.getByRole('region', { name: /^Order / });
    await expect(opened).not.toHaveAccessibleName(`Order ${order.providerOrderId}`, { timeout: JOURNEY_MS });
    await expect(opened.getByText('From Honeybee', { exact: true })).toBeVisible();
    await expect(opened.getByRole('heading', { level: 2 })).toHaveText(/Priya Raman/);
    await screenshot(page, 'honeybee-reordered');
  });
});

test('an order Honeybee puts On Hold shows why and what to do, and takes a new shipping address', async ({ page, request }) => {
  test.setTimeout(120_000);
  const order = await createOrder(request, patient('Tomas', 'Lindqvist', 'tomas.lindqvist@example.com'));
  const rx = await prescribe(request, order, 'requested');
  // Matched and sent through the app API, with the defaults (one pack of the written quantity, standard shipping).
  await expect
    .poll(async () => (await appApi<{ prescriptions: IncomingPrescriptionView[] }>(request, 'partners.incomingPrescriptions', { partner: 'honeybee' })).reply, {
      timeout: JOURNEY_MS,
    })
    .toMatchObject({ ok: true, value: { prescriptions: expect.arrayContaining([expect.objectContaining({ prescription_id: rx.prescription_ids[0] })]) } });
  const matched = (await appApi<IncomingPrescriptionView>(request, 'partners.matchPrescription', {
    partner: 'honeybee',
    prescription_id: rx.prescription_ids[0],
    order_id: order.providerOrderId,
  })).reply;
  expect(matched.ok, JSON.stringify(matched)).toBe(true);
  const sent = (await appApi<OrderDetail>(request, 'orders.dispatch', { id: order.providerOrderId, partner: 'honeybee', details: {} })).reply;
  expect(sent.ok, JSON.stringify(sent)).toBe(true);
  // Held before the simulator ships it (Processing or Filling).
  const held = (await appApi<{ partner_status: string }>(request, 'sandbox.partnerOrder', { partner: 'honeybee', id: order.providerOrderId, action: 'hold' })).reply;
  expect(held, JSON.stringify(held)).toEqual({ ok: true, value: { partner_status: 'On Hold' } });

  await openBoard(page);
  const detail = await openOrder(page, order.providerOrderId, 'Tomas Lindqvist');
  const partner = detail.getByRole('region', { name: 'Partner', exact: true });
  const banner = partner.getByRole('group', { name: 'On hold at Honeybee Health' });

  await test.step('the order says it is on hold at Honeybee, why, and what to do', async () => {
    await expect(partner.getByRole('status').first()).toHaveText('With Honeybee Health — on hold', { timeout: JOURNEY_MS });
    const alert = banner.getByRole('alert');
    await expect(alert).toContainText('On hold at Honeybee Health');
    await expect(alert).toContainText('Honeybee could not verify the shipping address.');
    await expect(alert).toContainText('What to do: Check the address with the patient and correct the shipping address.');
    await expectNoSeriousA11yProblems(page, 'Honeybee order on hold');
    await screenshot(page, 'honeybee-on-hold');
  });

  await test.step('a new shipping address, starting from the order’s, releases the hold', async () => {
    await banner.getByRole('button', { name: 'Change shipping address' }).click();
    const form = banner.getByRole('form', { name: 'Change shipping address' });
    await expect(form.getByRole('textbox', { name: 'Street address' })).toHaveValue('1200 Maple Ln');
    await expect(form.getByRole('textbox', { name: 'City' })).toHaveValue('Lombard');
    await expect(form.getByRole('textbox', { name: 'State' })).toHaveValue('IL');
    await expect(form.getByRole('textbox', { name: 'ZIP code' })).toHaveValue('60148');

    // The core refuses a ZIP code that is not one, naming it.
    await form.getByRole('textbox', { name: 'ZIP code' }).fill('6014');
    await form.getByRole('button', { name: 'Send the new address to Honeybee Health' }).click();
    await expect(form.getByRole('alert')).toContainText('ZIP code');
    await expect(form.getByRole('textbox', { name: 'ZIP code' })).toHaveAttribute('aria-invalid', 'true');

    await form.getByRole('textbox', { name: 'ZIP code' }).fill('60148');
    await form.getByRole('textbox', { name: /^Apartment, unit/ }).fill('Apt 4');
    await expectNoSeriousA11yProblems(page, 'Honeybee change of address');
    await screenshot(page, 'honeybee-change-address');
    await form.getByRole('button', { name: 'Send the new address to Honeybee Health' }).click();
    await expect(form).toBeHidden();
    await expect(banner).toHaveCount(0, { timeout: JOURNEY_MS });
    await expect(detail.getByRole('list', { name: 'Timeline' })).toContainText('Shipping address changed at Honeybee Health');
    await expect(partner.getByRole('status').first()).not.toHaveText(/on hold/);
    await screenshot(page, 'honeybee-hold-released');
  });
});

test('an order Honeybee makes by itself (Automatic Processing) appears on the board flagged "From Honeybee"; BestRx hears nothing of it', async ({ page, request }) => {
  test.setTimeout(120_000);
  const order = await createOrder(request, patient('Ada', 'Whitfield', 'ada.whitfield@example.com'));
  await openBoard(page);
  const rx = await prescribe(request, order, 'automatic');
  expect(rx.partner_order_ref).toBeTruthy();

  const rows = page.getByRole('region', { name: 'Orders' }).getByRole('listitem').filter({ hasText: 'Ada Whitfield' });
  const fromHoneybee = rows.filter({ hasText: 'From Honeybee' });
  await expect(fromHoneybee).toHaveCount(1, { timeout: JOURNEY_MS });
  // BestRx's own order for Ada carries no flag.
  await expect(rows.filter({ hasText: order.providerOrderId })).not.toContainText('From Honeybee');
  await screenshot(page, 'honeybee-automatic-board');

  await fromHoneybee.getByRole('button').click();
  const detail = page.getByRole('region', { name: /^Order / });
  await expect(detail.getByRole('heading', { level: 2 })).toHaveText(/Ada Whitfield/);
  await expect(detail.getByText('From Honeybee', { exact: true })).toBeVisible();
  await expect(detail).toContainText('Honeybee Health made this order itself');
  await expect(fact(detail, 'Made by')).toHaveText('Honeybee Health (no BestRx order)');
  await expect(fact(detail, 'BestRx order')).toHaveCount(0);
  await expect(detail.getByRole('region', { name: 'Told BestRx' })).toContainText('None are sent: BestRx did not send this order.');
  await expect(detail.getByRole('group', { name: 'Fulfilment partner' })).toHaveCount(0);
  await expect(detail.getByRole('region', { name: 'Partner', exact: true }).getByRole('status').first()).toHaveText(/Honeybee Health/);
  await expectNoSeriousA11yProblems(page, 'order from Honeybee');
  await screenshot(page, 'honeybee-automatic-detail');

  const id = ((await detail.getAttribute('aria-label')) ?? '').replace(/^Order /, '');
  expect(await received(request, id)).toEqual([]);
});

test('settings: Honeybee Health’s connection, sandbox now, live fields with secrets that are never shown', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const honeybee = page.getByRole('region', { name: 'Settings' }).getByRole('form', { name: 'Honeybee Health' });
  await expect(honeybee.getByRole('radio', { name: /^Sandbox/ })).toBeChecked();
  await expect(honeybee.getByRole('button', { name: 'Rotate credentials' })).toHaveCount(0);

  await honeybee.getByRole('radio', { name: /^Live/ }).check();
  await expect(honeybee.getByRole('textbox', { name: 'Base URL', exact: true })).toHaveAttribute('placeholder', 'https://partners.honeybeehealth.com');
  const tokenUrl = honeybee.getByRole('textbox', { name: 'Token URL', exact: true });
  await expect(tokenUrl).toHaveAttribute('placeholder', 'https://auth.honeybeehealth.com/oauth/token');
  await expect(honeybee.getByRole('textbox', { name: 'Client ID' })).toBeVisible();
  await expect(honeybee.getByLabel('Client secret', { exact: true })).toHaveAttribute('type', 'password');
  await expect(honeybee.getByLabel('Webhook secret (X-Honeybee-Secret)')).toHaveAttribute('type', 'password');
  await expect(honeybee.getByLabel('Event-signing secret (X-Honeybee-Signature)')).toHaveAttribute('type', 'password');
  await expect(honeybee).toContainText('announces new e-prescriptions only by webhook');
  // United's setup token and CaryRx's API key are not Honeybee's.
  await expect(honeybee.getByLabel('Setup token')).toHaveCount(0);
  await expect(honeybee.getByLabel('API key', { exact: true })).toHaveCount(0);
  await honeybee.getByRole('textbox', { name: 'Client ID' }).fill('hb-client-0123');
  await honeybee.getByLabel('Client secret', { exact: true }).fill('hb-secret-never-shown');
  await expectNoSeriousA11yProblems(page, 'Honeybee settings');
  await screenshot(page, 'honeybee-settings');

  // Refused before anything changes: the core says what is wrong with the address.
  await tokenUrl.fill('not a url');
  await honeybee.getByRole('button', { name: 'Save Honeybee Health' }).click();
  await expect(honeybee.getByRole('alert')).toContainText('Token URL must be an http(s) URL');
  const status = (await appApi<{ partners: PartnerStatusView[] }>(page.request, 'partners.status', {})).reply;
  expect(status.ok && status.value.partners.find((p) => p.partner === 'honeybee')).toMatchObject({ mode: 'sandbox', credentials_stored: false });
  // The secret typed is in the field only, never in what the app shows.
  await expect(page.getByText('hb-secret-never-shown')).toHaveCount(0);
});
