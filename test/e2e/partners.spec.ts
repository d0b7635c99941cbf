// Fulfilment partners end to end: the headless app (started by playwright.config.ts) in sandbox
// mode, an order from BestRx sent to the United Pharmacy simulator from the order's detail panel,
// the partner's progress followed on the board to Delivered, and what BestRx was told on the way.
// The simulator moves an order on every RXRELAY_SANDBOX_STEP_MS (1.5 s here, see e2e-env.ts).
import { expect, test, type Locator, type Page } from '@playwright/test';
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

test('an order is sent to United Pharmacy from its detail panel, followed to Delivered, and BestRx hears of it', async ({ page, request }) => {
  test.setTimeout(180_000);
  const order = await createOrder(request, PREPAID_MARCUS);
  const detail = await openOrder(page, order);
  const form = detail.getByRole('form', { name: 'Send to partner' });

  await test.step('the form opens from "Send to partner…", with the recipient’s email filled in', async () => {
    await detail.getByRole('group', { name: 'Fulfilment partner' }).getByRole('button', { name: 'Send to partner…' }).click();
    await expect(form).toBeVisible();
    await expect(form.getByRole('textbox', { name: 'Email' })).toHaveValue('m.okafor@example.com');
  });

  const medicationName = await test.step('United Pharmacy, one of its pharmacies, a medication from page 2 of its catalog', async () => {
    const partner = form.getByRole('combobox', { name: 'Partner' });
    await expect(partner.locator('option', { hasText: 'United Pharmacy' })).toHaveCount(1);
    await partner.selectOption('united');
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

    let pushes: ReceivedPush[] = [];
    await expect
      .poll(
        async () => {
          const reply = (await appApi<{ pushes: ReceivedPush[] }>(request, 'sandbox.bestrxReceived', { order_id: order.providerOrderId })).reply;
          pushes = reply.ok ? reply.value.pushes : [];
          return pushes.map((p) => p.payload.order_status.status_code);
        },
        { timeout: JOURNEY_MS },
      )
      .toEqual(expect.arrayContaining(['5', '7']));
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
