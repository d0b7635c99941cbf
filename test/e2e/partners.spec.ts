// Fulfilment partners end to end: the headless app (started by playwright.config.ts) in sandbox
// mode, an order from BestRx sent to the United Pharmacy or the CaryRx simulator from the order's
// detail panel, the partner's progress followed on the board to Delivered, and what BestRx was
// told on the way. The simulators move an order on every RXRELAY_SANDBOX_STEP_MS (1.5 s here, see
// e2e-env.ts).
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import type { OrderDetail, PartnerStatusView } from '../../src-shared/app-api-contract';
import { appApi, createOrder, expectNoSeriousA11yProblems, MARCUS, screenshot, type CreatedOrder } from './e2e-helpers';

/** Paid for already: a partner's carrier collects nothing at the door (a collect order stays in-house). */
const PREPAID_MARCUS = { ...MARCUS, amount_to_collect: 0 };

/** A partner journey: a handful of simulator steps, each picked up by webhook or polling. */
const JOURNEY_MS = 45_000;

/** Opens the board (with its live-event stream) and an order's detail panel. */
async function openOrder(page: Page, order: CreatedOrder): Promise<Locator> {
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/events' && r.status() === 200);
  await page.goto('/');
  await stream;
  await page.getByRole('region', { name: 'Orders' }).getByRole('listitem').filter({ hasText: order.providerOrderId }).getByRole('button').click();
  const detail = page.getByRole('region', { name: `Order ${order.providerOrderId}` });
  await expect(detail.getByRole('heading', { level: 2 })).toHaveText('Marcus Okafor');
  return detail;
}

const fact = (scope: Locator, term: string): Locator => scope.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');

interface ReceivedPush {
  received_at: string;
  payload: { order_status: { status_code: string; status_Code_description?: string; status_notes?: string | null } };
}

/** What the BestRx simulator received for an order, once it holds every status code expected. */
async function pushesReceived(request: APIRequestContext, orderId: string, codes: string[]): Promise<ReceivedPush[]> {
  let pushes: ReceivedPush[] = [];
  await expect
    .poll(
      async () => {
        const reply = (await appApi<{ pushes: ReceivedPush[] }>(request, 'sandbox.bestrxReceived', { order_id: orderId })).reply;
        pushes = reply.ok ? reply.value.pushes : [];
        return pushes.map((p) => p.payload.order_status.status_code);
      },
      { timeout: JOURNEY_MS },
    )
    .toEqual(expect.arrayContaining(codes));
  return pushes;
}

test('an order is sent to United Pharmacy from its detail panel, followed to Delivered, and BestRx hears of it', async ({ page, request }) => {
  test.setTimeout(180_000);
  const order = await createOrder(request, PREPAID_MARCUS);
  const detail = await openOrder(page, order);
  const form = detail.getByRole('form', { name: 'Send to partner' });

  await test.step('the form opens from "Send to partner…"; once United Pharmacy is chosen it asks for what United needs, the recipient’s email filled in', async () => {
    await detail.getByRole('group', { name: 'Fulfilment partner' }).getByRole('button', { name: 'Send to partner…' }).click();
    await expect(form).toBeVisible();
    const partner = form.getByRole('combobox', { name: 'Partner' });
    await expect(partner.locator('option', { hasText: 'United Pharmacy' })).toHaveCount(1);
    await partner.selectOption('united');
    await expect(form.getByRole('textbox', { name: 'Email' })).toHaveValue('m.okafor@example.com');
    await expect(form.getByRole('combobox', { name: 'Gender' })).toBeVisible();
    // CaryRx's fields are not United's.
    await expect(form.getByRole('combobox', { name: 'Shipping method' })).toHaveCount(0);
    await expect(form.getByRole('checkbox', { name: /central fill/ })).toHaveCount(0);
  });

  const medicationName = await test.step('United Pharmacy, one of its pharmacies, a medication from page 2 of its catalog', async () => {
    const pharmacy = form.getByRole('combobox', { name: 'Pharmacy' });
    await expect(pharmacy).toBeEnabled();
    if ((await pharmacy.inputValue()) === '') await pharmacy.selectOption({ index: 1 });
    expect(await pharmacy.inputValue()).not.toBe('');

    const pager = form.getByRole('group', { name: 'Catalog pages' });
    await expect(pager).toContainText(/^Previous\s*Page 1 of \d+\s*Next$/);
    await expect(pager.getByRole('button', { name: 'Previous' })).toBeDisabled();
    const catalog = form.getByRole('table', { name: /Medications from United Pharmacy/ });
    const rows = catalog.getByRole('row').filter({ has: page.getByRole('radio') });
    await expect(rows).toHaveCount(25);
    const firstOnPage1 = await rows.first().locator('label').innerText();

    await pager.getByRole('button', { name: 'Next' }).click();
    await expect(pager).toContainText(/Page 2 of \d+/);
    await expect(rows.first().locator('label')).not.toHaveText(firstOnPage1);
    await expect(catalog).toContainText('$');

    const row = rows.nth(2);
    const name = (await row.locator('td').first().innerText()).split('\n')[0]!.trim();
    await row.getByRole('radio').check();
    await expect(form.getByText(/^Chosen:/)).toContainText(name);

    // The filter narrows the page shown to what matches.
    const filter = form.getByRole('searchbox', { name: 'Filter this page' });
    await filter.fill(name);
    await expect(rows.filter({ hasText: name }).first()).toBeVisible();
    // Enter in the filter filters; it does not send the form.
    await filter.press('Enter');
    await expect(form.getByRole('alert')).toHaveCount(0);
    await filter.fill('zz-no-such-medication');
    await expect(form.getByText(/Nothing on this page matches/)).toBeVisible();
    await filter.fill('');
    return name;
  });

  await test.step('the patient and the prescription, the date of birth left out: the core names it', async () => {
    await form.getByRole('combobox', { name: 'Gender' }).selectOption('M');
    await form.getByRole('spinbutton', { name: /Dispense quantity/ }).fill('30');
    await form.getByRole('spinbutton', { name: /Days supply/ }).fill('30');
    await form.getByRole('textbox', { name: /Clinical notes/ }).fill('Tolerates therapy; continue the same dose.');
    await expectNoSeriousA11yProblems(page, 'dispatch form');
    await screenshot(page, 'partner-dispatch-form');

    await form.getByRole('button', { name: 'Send to United Pharmacy' }).click();
    const alert = form.getByRole('alert');
    await expect(alert).toContainText(/date of birth/i);
    await expect(alert).toContainText('Not sent.');
    await expect(form.getByLabel('Date of birth')).toHaveAttribute('aria-invalid', 'true');
    // What was typed is kept.
    await expect(form.getByRole('spinbutton', { name: /Dispense quantity/ })).toHaveValue('30');
    await expect(form.getByText(/^Chosen:/)).toContainText(medicationName);
    await screenshot(page, 'partner-dispatch-missing-dob');
  });

  const partner = detail.getByRole('region', { name: 'Partner', exact: true });
  const headline = partner.getByRole('status').first();

  await test.step('with the date of birth the order goes to United Pharmacy', async () => {
    await form.getByLabel('Date of birth').fill('1980-03-15');
    await form.getByRole('button', { name: 'Send to United Pharmacy' }).click();
    await expect(form).toBeHidden();
    await expect(partner).toBeVisible();
    await expect(headline).toHaveText(/^(Sending to United Pharmacy|With United Pharmacy|United Pharmacy is done with it)/);
    await expect(detail.getByRole('button', { name: 'Send to partner…' })).toBeHidden();
    await expect(detail.getByRole('list', { name: 'Timeline' })).toContainText('Sent to partner');
  });

  await test.step('the partner’s progress shows on the order until it is delivered', async () => {
    await expect(headline).toHaveText(/^With United Pharmacy/, { timeout: JOURNEY_MS });
    await expect(fact(partner, 'Partner’s ids')).not.toHaveText('none yet');
    await screenshot(page, 'partner-progress');
    await expect(headline).toHaveText(/^United Pharmacy is done with it/, { timeout: JOURNEY_MS });
    await expect(detail.getByTestId('status-badge')).toHaveText('Delivered', { timeout: JOURNEY_MS });
    await expect(fact(partner, 'Carrier')).not.toHaveText('—');
    await expect(fact(partner, 'Tracking number')).not.toHaveText('—');
    await expect(detail.getByRole('list', { name: 'Timeline' })).toContainText('Partner update by United Pharmacy');
    await screenshot(page, 'partner-finished');
  });

  await test.step('BestRx was told: In Transit with carrier and tracking, then Delivered', async () => {
    const carrier = (await fact(partner, 'Carrier').innerText()).trim();
    const tracking = (await fact(partner, 'Tracking number').innerText()).trim();
    const got = (await appApi<OrderDetail>(request, 'orders.get', { id: order.providerOrderId })).reply;
    expect(got.ok && got.value.partner).toMatchObject({ state: 'finished', carrier, tracking });

    const pushes = await pushesReceived(request, order.providerOrderId, ['5', '7']);
    const inTransit = pushes.find((p) => p.payload.order_status.status_code === '5');
    expect(inTransit?.payload.order_status.status_Code_description).toMatch(/In Transit/i);
    expect(inTransit?.payload.order_status.status_notes).toContain(carrier);
    expect(inTransit?.payload.order_status.status_notes).toContain(tracking);
    const delivered = pushes.find((p) => p.payload.order_status.status_code === '7');
    expect(delivered?.payload.order_status.status_Code_description).toMatch(/Delivered/i);
  });

  await test.step('sync status: United Pharmacy connected, in sandbox, and "Sync now" works', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Sync status' }).click();
    const card = page.getByRole('region', { name: 'Sync status' }).getByRole('article', { name: 'United Pharmacy' });
    await expect(card).toContainText('SANDBOX');
    await expect(card).toContainText('Connected');
    await expect(fact(card, 'Last sync')).not.toHaveText('never');
    await expect(fact(card, 'Calls')).toHaveText('Calls go through');
    await card.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('region', { name: 'Partner connections' }).getByRole('status')).toHaveText('United Pharmacy: synced, connected.');
    await expectNoSeriousA11yProblems(page, 'sync status');
    await screenshot(page, 'partner-sync-status');
  });
});

test('in sandbox mode the simulator can fail a partner order: the order says United gave up and can be sent again', async ({ page, request }) => {
  test.setTimeout(120_000);
  const order = await createOrder(request, PREPAID_MARCUS);
  // Sent through the app API with everything United needs; the UI only follows it.
  const pharmacies = (await appApi<{ pharmacies: Array<{ id: string; status: string }> }>(request, 'partners.pharmacies', { partner: 'united' })).reply;
  expect(pharmacies.ok, JSON.stringify(pharmacies)).toBe(true);
  const pharmacyId = pharmacies.ok ? (pharmacies.value.pharmacies.find((p) => p.status === 'active') ?? pharmacies.value.pharmacies[0])!.id : '';
  const medications = (await appApi<{ medications: Array<{ medication_id: string }> }>(request, 'partners.medications', { partner: 'united', pharmacy_id: pharmacyId, page: 1 })).reply;
  expect(medications.ok, JSON.stringify(medications)).toBe(true);
  const medicationId = medications.ok ? medications.value.medications[0]!.medication_id : '';

  const detail = await openOrder(page, order);
  const dispatched = (await appApi<OrderDetail>(request, 'orders.dispatch', {
    id: order.providerOrderId,
    partner: 'united',
    details: {
      pharmacy_id: pharmacyId,
      medication_id: medicationId,
      patient_dob: '1975-06-01',
      patient_email: 'm.okafor@example.com',
      patient_gender: 'M',
      dispense_quantity: 10,
      days_supply: 10,
    },
  })).reply;
  expect(dispatched.ok, JSON.stringify(dispatched)).toBe(true);

  const partner = detail.getByRole('region', { name: 'Partner', exact: true });
  const sandbox = partner.getByRole('group', { name: 'Sandbox: partner simulator' });
  await expect(sandbox.getByRole('button', { name: 'Fail' })).toBeVisible({ timeout: JOURNEY_MS });
  await sandbox.getByRole('button', { name: 'Fail' }).click();
  await expect(partner.getByRole('status').first()).toHaveText(/^United Pharmacy gave up/, { timeout: JOURNEY_MS });
  await expect(partner).toContainText('Take the order back');
  await expect(detail.getByRole('group', { name: 'Fulfilment partner' }).getByRole('button', { name: 'Send to a partner again…' })).toBeVisible();
  await screenshot(page, 'partner-failed');
});

test('settings: United Pharmacy’s connection, sandbox now, live fields with secrets that are never shown', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const united = page.getByRole('region', { name: 'Settings' }).getByRole('form', { name: 'United Pharmacy' });
  await expect(united.getByRole('radio', { name: /^Sandbox/ })).toBeChecked();
  await expect(united.getByRole('textbox', { name: 'Base URL', exact: true })).toHaveCount(0);

  await united.getByRole('radio', { name: /^Live/ }).check();
  const baseUrl = united.getByRole('textbox', { name: 'Base URL', exact: true });
  await expect(baseUrl).toHaveAttribute('placeholder', 'https://api.example.com/pharmacy/{tenant}/api/v1');
  await expect(united.getByLabel('Setup token', { exact: true })).toHaveAttribute('type', 'password');
  await expect(united.getByLabel('Webhook secret', { exact: true })).toHaveAttribute('type', 'password');
  await expect(united).toContainText('polls United Pharmacy for every open order');
  await united.getByRole('radio', { name: /^A client ID and secret/ }).check();
  await expect(united.getByLabel('Client secret', { exact: true })).toHaveAttribute('type', 'password');
  await expectNoSeriousA11yProblems(page, 'settings');
  await screenshot(page, 'partner-settings');

  // Refused before anything changes: the core says what is wrong with the address.
  await baseUrl.fill('not a url');
  await united.getByRole('button', { name: 'Save United Pharmacy' }).click();
  await expect(united.getByRole('alert')).toContainText('Base URL must be an http(s) URL');
  await expect(baseUrl).toHaveValue('not a url');
  const status = (await appApi<{ partners: PartnerStatusView[] }>(page.request, 'partners.status', {})).reply;
  expect(status.ok && status.value.partners.find((p) => p.partner === 'united')?.mode).toBe('sandbox');

  // The simulator's credentials rotate like live ones: new ones made, switched to, old ones revoked.
  await united.getByRole('radio', { name: /^Sandbox/ }).check();
  await united.getByRole('button', { name: 'Rotate credentials' }).click();
  await expect(united.getByRole('status')).toHaveText(/^New credentials in use: client ID \S+/);
  await screenshot(page, 'partner-settings-rotated');
  const after = (await appApi<PartnerStatusView>(page.request, 'partners.syncNow', { partner: 'united' })).reply;
  expect(after.ok && after.value.connected, JSON.stringify(after)).toBe(true);
});

test('an order is sent to CaryRx from its detail panel (same-day), followed to Delivered, and BestRx hears of it with the tracking page', async ({ page, request }) => {
  test.setTimeout(180_000);
  const order = await createOrder(request, PREPAID_MARCUS);
  const detail = await openOrder(page, order);
  const form = detail.getByRole('form', { name: 'Send to partner' });

  await test.step('CaryRx’s form asks for what CaryRx needs: date of birth, email, shipping, central fill, a note', async () => {
    await detail.getByRole('group', { name: 'Fulfilment partner' }).getByRole('button', { name: 'Send to partner…' }).click();
    const partner = form.getByRole('combobox', { name: 'Partner' });
    await expect(partner.locator('option', { hasText: 'CaryRx' })).toHaveText('CaryRx (sandbox)');
    await partner.selectOption('caryrx');
    await expect(form.getByLabel('Date of birth')).toBeVisible();
    await expect(form.getByRole('textbox', { name: 'Email' })).toHaveValue('m.okafor@example.com');
    const shipping = form.getByRole('combobox', { name: 'Shipping method' });
    await expect(shipping).toHaveValue('sameday_delivery');
    await expect(shipping.locator('option')).toHaveText(['Same-day delivery', '2-day mail order']);
    await expect(form.getByRole('checkbox', { name: 'Fill at CaryRx central fill' })).not.toBeChecked();
    await expect(form.getByRole('textbox', { name: /Clinical notes for CaryRx’s pharmacist \(optional, 0\/1000\)/ })).toBeVisible();
    // United's pharmacy, catalog and prescription fields are not CaryRx's; in the sandbox there is nothing to pick at CaryRx.
    await expect(form.getByRole('combobox', { name: 'Pharmacy' })).toHaveCount(0);
    await expect(form.getByRole('combobox', { name: 'Gender' })).toHaveCount(0);
    await expect(form.getByRole('spinbutton')).toHaveCount(0);
    await expect(form.getByRole('button', { name: /Find the patient’s prescriptions/ })).toHaveCount(0);
    await expect(form).toContainText('RxRelay creates the order’s prescriptions (by Rx number) at the CaryRx simulator');
  });

  await test.step('without the date of birth the core names it; with it the order goes to CaryRx', async () => {
    await form.getByRole('combobox', { name: 'Shipping method' }).selectOption({ label: 'Same-day delivery' });
    await form.getByRole('textbox', { name: /Clinical notes/ }).fill('Patient prefers a call before delivery.');
    await expectNoSeriousA11yProblems(page, 'CaryRx dispatch form');
    await screenshot(page, 'caryrx-dispatch-form');
    await form.getByRole('button', { name: 'Send to CaryRx' }).click();
    await expect(form.getByRole('alert')).toContainText(/date of birth is required for CaryRx/i);
    await expect(form.getByLabel('Date of birth')).toHaveAttribute('aria-invalid', 'true');
    await screenshot(page, 'caryrx-dispatch-missing-dob');

    await form.getByLabel('Date of birth').fill('1980-03-15');
    await form.getByRole('button', { name: 'Send to CaryRx' }).click();
    await expect(form).toBeHidden();
  });

  const partner = detail.getByRole('region', { name: 'Partner', exact: true });
  const headline = partner.getByRole('status').first();

  await test.step('CaryRx’s progress shows on the order until its courier delivers it', async () => {
    await expect(headline).toHaveText(/^(Sending to CaryRx|With CaryRx)/);
    await expect(headline).toHaveText(/^With CaryRx/, { timeout: JOURNEY_MS });
    await expect(headline).toHaveText(/^CaryRx is done with it — delivered$/, { timeout: JOURNEY_MS });
    await expect(detail.getByTestId('status-badge')).toHaveText('Delivered', { timeout: JOURNEY_MS });
    await expect(fact(partner, 'Carrier')).toHaveText('CaryRx same-day courier');
    const link = fact(partner, 'Tracking').getByRole('link');
    await expect(link).toHaveAttribute('href', /^https:\/\//);
    await expect(link).toHaveAttribute('rel', 'noreferrer noopener');
    await expect(fact(partner, 'Partner’s ids')).toContainText('Order');
    await expect(detail.getByRole('list', { name: 'Timeline' })).toContainText('Partner update by CaryRx');
    await expectNoSeriousA11yProblems(page, 'CaryRx finished order');
    await screenshot(page, 'caryrx-finished');
  });

  await test.step('BestRx was told: Out For Delivery with the tracking page, then Delivered', async () => {
    const tracking = (await fact(partner, 'Tracking').getByRole('link').getAttribute('href')) ?? '';
    const got = (await appApi<OrderDetail>(request, 'orders.get', { id: order.providerOrderId })).reply;
    expect(got.ok && got.value.partner).toMatchObject({ partner: 'caryrx', state: 'finished', partner_status: 'delivered', tracking });

    const pushes = await pushesReceived(request, order.providerOrderId, ['6', '7']);
    const out = pushes.find((p) => p.payload.order_status.status_code === '6');
    expect(out?.payload.order_status.status_Code_description).toMatch(/Out For Delivery/i);
    expect(out?.payload.order_status.status_notes).toContain(tracking);
    const delivered = pushes.find((p) => p.payload.order_status.status_code === '7');
    expect(delivered?.payload.order_status.status_Code_description).toMatch(/Delivered/i);
  });

  await test.step('sync status: CaryRx connected, in sandbox', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Sync status' }).click();
    const card = page.getByRole('region', { name: 'Sync status' }).getByRole('article', { name: 'CaryRx' });
    await expect(card).toContainText('SANDBOX');
    await expect(card).toContainText('Connected');
    await expect(fact(card, 'Environment')).toHaveText('Sandbox (the local simulator)');
    await expect(fact(card, 'Last sync')).not.toHaveText('never');
    await card.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.getByRole('region', { name: 'Partner connections' }).getByRole('status')).toHaveText('CaryRx: synced, connected.');
    await screenshot(page, 'caryrx-sync-status');
  });
});

test('CaryRx live asks which of the patient’s prescriptions at CaryRx to send: found by name and email, or "no such patient yet"', async ({ page, request }) => {
  test.setTimeout(120_000);
  // The patient and a prescription exist at the CaryRx simulator once an order for Marcus went there.
  const first = await createOrder(request, PREPAID_MARCUS);
  const sent = (await appApi<OrderDetail>(request, 'orders.dispatch', {
    id: first.providerOrderId,
    partner: 'caryrx',
    details: { patient_dob: '1980-03-15', patient_email: 'm.okafor@example.com' },
  })).reply;
  expect(sent.ok, JSON.stringify(sent)).toBe(true);
  await expect
    .poll(async () => {
      const got = (await appApi<OrderDetail>(request, 'orders.get', { id: first.providerOrderId })).reply;
      return got.ok ? got.value.partner?.state : undefined;
    }, { timeout: JOURNEY_MS })
    .not.toBe('dispatching');

  // The e2e app runs CaryRx in sandbox; its live form (which adds prescription_ids) is shown by
  // adding that field to what partners.status says. The look-up itself is the app's, against the simulator.
  await page.route('**/api/partners.status', async (route) => {
    const response = await route.fetch();
    const json = (await response.json()) as { ok: boolean; value?: { partners: PartnerStatusView[] } };
    for (const p of json.value?.partners ?? []) if (p.partner === 'caryrx') p.dispatch_fields = ['patient_dob', 'patient_email', 'prescription_ids', 'shipping_method', 'central_fill', 'clinical_notes'];
    await route.fulfill({ response, json });
  });
  const order = await createOrder(request, PREPAID_MARCUS);
  const detail = await openOrder(page, order);
  await detail.getByRole('group', { name: 'Fulfilment partner' }).getByRole('button', { name: 'Send to partner…' }).click();
  const form = detail.getByRole('form', { name: 'Send to partner' });
  await form.getByRole('combobox', { name: 'Partner' }).selectOption('caryrx');
  const find = form.getByRole('button', { name: 'Find the patient’s prescriptions at CaryRx' });
  const email = form.getByRole('textbox', { name: 'Email' });

  await test.step('no email: it says to enter one', async () => {
    await email.fill('');
    await find.click();
    await expect(form.getByRole('alert')).toHaveText(/Enter the patient’s email first/);
  });

  await test.step('an email CaryRx does not know: no patient with this name and email yet', async () => {
    await email.fill('someone.else@example.com');
    await find.click();
    await expect(form.getByRole('status')).toContainText('No patient named Marcus Okafor with the email someone.else@example.com at CaryRx yet');
    await expect(form.getByRole('group', { name: /^Prescriptions at CaryRx/ })).toHaveCount(0);
  });

  await test.step('the patient’s email: their prescriptions at CaryRx, to tick', async () => {
    await email.fill('m.okafor@example.com');
    await expect(form.getByRole('status')).toHaveCount(0);
    await form.getByRole('button', { name: /^Find the patient’s prescriptions at CaryRx/ }).click();
    const choices = form.getByRole('group', { name: /^Prescriptions at CaryRx/ });
    await expect(choices.getByRole('checkbox')).not.toHaveCount(0);
    const rx = choices.getByRole('checkbox', { name: /^Rx 610011/ }).first();
    await rx.check();
    await expect(choices).toContainText(/1 of \d+ chosen/);
    await expectNoSeriousA11yProblems(page, 'CaryRx prescription picker');
    await screenshot(page, 'caryrx-prescription-picker');
  });
});

test('an order with payment to collect says why it stays in-house instead of offering the partner form', async ({ page, request }) => {
  // MARCUS keeps the seed's amount to collect ($97.83).
  const order = await createOrder(request, MARCUS);
  const detail = await openOrder(page, order);
  const group = detail.getByRole('group', { name: 'Fulfilment partner' });
  await expect(group).toContainText('$97.83 is to be collected at the door, and partners collect no payment');
  await expect(group.getByRole('button')).toHaveCount(0);
  await expect(detail.getByRole('form', { name: 'Send to partner' })).toHaveCount(0);
  // The core refuses it too.
  const refused = (await appApi<OrderDetail>(request, 'orders.dispatch', {
    id: order.providerOrderId,
    partner: 'caryrx',
    details: { patient_dob: '1980-03-15', patient_email: 'm.okafor@example.com' },
  })).reply;
  expect(refused.ok).toBe(false);
  expect(refused.ok ? [] : refused.error.details).toEqual(expect.arrayContaining([expect.stringMatching(/collected at the door, which CaryRx cannot do/)]));
  await screenshot(page, 'partner-collect-refused');
});

test('settings: CaryRx’s connection, an environment and an API key, no United fields and no rotation', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const caryrx = page.getByRole('region', { name: 'Settings' }).getByRole('form', { name: 'CaryRx' });
  await expect(caryrx.getByRole('radio', { name: /^Sandbox/ })).toBeChecked();
  await expect(caryrx.getByRole('button', { name: 'Rotate credentials' })).toHaveCount(0);

  await caryrx.getByRole('radio', { name: /^Live/ }).check();
  const baseUrl = caryrx.getByRole('textbox', { name: 'Base URL', exact: true });
  await expect(baseUrl).toHaveAttribute('placeholder', 'https://… (the address CaryRx gave you)');
  const environment = caryrx.getByRole('combobox', { name: 'Environment' });
  await expect(environment.locator('option')).toHaveText(['Choose…', 'Development', 'UAT', 'Production']);
  const apiKey = caryrx.getByLabel('API key', { exact: true });
  await expect(apiKey).toHaveAttribute('type', 'password');
  await expect(caryrx.getByRole('textbox', { name: 'Webhook base URL' })).toBeVisible();
  await expect(caryrx).toContainText('polls CaryRx for every open order');
  // United's secrets are not CaryRx's.
  await expect(caryrx.getByLabel('Setup token')).toHaveCount(0);
  await expect(caryrx.getByLabel('Client secret')).toHaveCount(0);
  await expect(caryrx.getByLabel('Webhook secret')).toHaveCount(0);
  await expect(caryrx.getByRole('button', { name: 'Rotate credentials' })).toHaveCount(0);
  // …and CaryRx's are not United's.
  const united = page.getByRole('region', { name: 'Settings' }).getByRole('form', { name: 'United Pharmacy' });
  await united.getByRole('radio', { name: /^Live/ }).check();
  await expect(united.getByRole('combobox', { name: 'Environment' })).toHaveCount(0);
  await expect(united.getByLabel('API key', { exact: true })).toHaveCount(0);
  await united.getByRole('radio', { name: /^Sandbox/ }).check();

  await environment.selectOption('uat');
  await apiKey.fill('caryrx-uat-key-0123');
  await expectNoSeriousA11yProblems(page, 'CaryRx settings');
  await screenshot(page, 'caryrx-settings');

  // A live address must be https (loopback aside): refused before anything changes.
  await baseUrl.fill('http://caryrx.example.com/api');
  await caryrx.getByRole('button', { name: 'Save CaryRx' }).click();
  await expect(caryrx.getByRole('alert')).toContainText(/Not saved/);
  await expect(caryrx.getByRole('alert')).toContainText(/https/);
  const status = (await appApi<{ partners: PartnerStatusView[] }>(page.request, 'partners.status', {})).reply;
  const caryrxStatus = status.ok ? status.value.partners.find((p) => p.partner === 'caryrx') : undefined;
  expect(caryrxStatus).toMatchObject({ mode: 'sandbox', environment: 'sandbox', credentials_stored: false });
});
