// The board end to end: the headless app (started by playwright.config.ts) in Chromium, orders
// sent to its BestRx endpoint the way BestRx sends them, and a person working them in the UI.
import { expect, test, type Locator } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PNG } from 'pngjs';
import type { OrderDetail } from '../../src-shared/app-api-contract';
import { seedExample } from '../helpers/fixtures';
import { API_TOKEN, BESTRX_PASSWORD, BESTRX_URL, BESTRX_USER, UI_PORT } from './e2e-env';
import { appApi, createOrder, expectNoSeriousA11yProblems, MARCUS, nextUniqueOrderId, screenshot, type CreatedOrder } from './e2e-helpers';

test('the header shows the SANDBOX banner and the BestRx endpoint to enter in BestRx', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('status').filter({ hasText: 'SANDBOX' })).toHaveText(
    'SANDBOX — connections go to local simulators; nothing reaches BestRx or a partner.',
  );
  const header = page.getByRole('banner');
  await expect(header.getByRole('heading', { level: 1 })).toHaveText('RxRelay');
  await expect(header).toContainText('headless');
  const connection = header.getByRole('region', { name: 'BestRx connection' });
  await expect(connection).toContainText(`BestRx endpoint ${BESTRX_URL}`);
  await expect(connection).toContainText(`user ${BESTRX_USER}`);
  const password = connection.getByLabel('password', { exact: true });
  await expect(password).toHaveText('••••••••');
  await connection.getByRole('button', { name: 'Show' }).click();
  await expect(password).toHaveText(BESTRX_PASSWORD);
});

test('the app API refuses calls without the token and from another site', async ({ request }) => {
  const noToken = await request.post('/api/orders.list', { data: {} });
  expect(noToken.status()).toBe(401);
  expect(await noToken.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

  const wrongToken = await request.post('/api/orders.list', { headers: { authorization: 'Bearer not-the-token-of-this-session' }, data: {} });
  expect(wrongToken.status()).toBe(401);

  const foreign = await request.post('/api/orders.list', {
    headers: { authorization: `Bearer ${API_TOKEN}`, origin: 'https://evil.example' },
    data: {},
  });
  expect(foreign.status()).toBe(403);
  expect(await foreign.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

  // The controls: the same call with the token, from no origin or the UI's own, is answered.
  const own = await request.post('/api/orders.list', {
    headers: { authorization: `Bearer ${API_TOKEN}`, origin: `http://127.0.0.1:${UI_PORT}` },
    data: {},
  });
  expect(own.status()).toBe(200);
  expect(await own.json()).toMatchObject({ ok: true, value: { total: expect.any(Number) } });
});

test('an order from BestRx appears live and is worked through its lifecycle on the board', async ({ page, request }) => {
  const list = page.getByRole('region', { name: 'Orders' });
  const rows = list.getByRole('listitem');
  const row = (order: CreatedOrder): Locator => rows.filter({ hasText: order.providerOrderId });
  const listCount = list.getByText(/^\d+ orders?$/);

  let navigations = 0;
  await test.step('open the board and wait for the live-event stream', async () => {
    const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/events' && r.status() === 200);
    await page.goto('/');
    await stream;
    await expect(listCount).toBeVisible();
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
  });

  const jane = await test.step('orders sent to the BestRx endpoint appear without a reload', async () => {
    const order = await createOrder(request);
    await expect(row(order)).toBeVisible();
    await expect(row(order)).toContainText('Jane Doe (Doe Industries)');
    await expect(row(order)).toContainText('500 Second Ave, Bloomingdale 60108');
    await expect(row(order)).toContainText('Collect $97.83');
    await expect(row(order).getByTestId('status-badge')).toHaveText('Created');
    expect(navigations).toBe(0);
    return order;
  });
  const marcus = await test.step('a second order, another recipient', async () => {
    const order = await createOrder(request, MARCUS);
    await expect(row(order)).toContainText('Marcus Okafor');
    expect(navigations).toBe(0);
    return order;
  });

  await test.step('search narrows the list', async () => {
    const search = list.getByRole('searchbox', { name: 'Search' });
    await search.fill('Okafor');
    await expect(row(marcus)).toBeVisible();
    await expect(row(jane)).toBeHidden();

    await search.fill('jane doe');
    await expect(row(jane)).toBeVisible();
    await expect(row(marcus)).toBeHidden();

    await search.fill(jane.providerOrderId);
    await expect(listCount).toHaveText('1 order');
    await expect(rows).toHaveCount(1);
    await expect(row(jane)).toBeVisible();

    await search.fill(marcus.trackingId);
    await expect(listCount).toHaveText('1 order');
    await expect(rows).toHaveCount(1);
    await expect(row(marcus)).toBeVisible();

    await search.fill('no-such-order-anywhere');
    await expect(listCount).toHaveText('0 orders');
    await expect(rows).toHaveCount(0);
    await expect(list.getByText('No orders match this search or filter.')).toBeVisible();

    await search.clear();
    await expect(row(jane)).toBeVisible();
    await expect(row(marcus)).toBeVisible();
  });

  await test.step('the status filter', async () => {
    // Moved on behind the board's back (through the app API): the change arrives live.
    const { status, reply } = await appApi<OrderDetail>(request, 'orders.transition', { id: marcus.providerOrderId, to: 'acknowledged' });
    expect(status, JSON.stringify(reply)).toBe(200);
    await expect(row(marcus).getByTestId('status-badge')).toHaveText('Acknowledged');

    const filter = list.getByRole('combobox', { name: 'Status' });
    const badges = list.getByTestId('status-badge');
    await filter.selectOption({ label: 'Acknowledged' });
    await expect(row(marcus)).toBeVisible();
    await expect(row(jane)).toBeHidden();
    await expect(badges.filter({ hasNotText: 'Acknowledged' })).toHaveCount(0);

    await filter.selectOption({ label: 'Created' });
    await expect(row(jane)).toBeVisible();
    await expect(row(marcus)).toBeHidden();
    await expect(badges.filter({ hasNotText: 'Created' })).toHaveCount(0);

    await filter.selectOption({ label: 'Delivered' });
    await expect(rows).toHaveCount(0);
    await expect(listCount).toHaveText('0 orders');
    await expect(list.getByText('No orders match this search or filter.')).toBeVisible();

    await filter.selectOption({ label: 'All' });
    await expect(row(jane)).toBeVisible();
    await expect(row(marcus)).toBeVisible();
    await screenshot(page, 'board');
  });

  const detail = page.getByRole('region', { name: `Order ${jane.providerOrderId}` });
  const badge = detail.getByTestId('status-badge');
  const timeline = detail.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
  const fact = (term: string): Locator => detail.locator('dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
  const actions = detail.getByRole('group', { name: 'Status actions' });
  const transitionButton = (label: string): Locator => actions.getByRole('button', { name: label, exact: true });

  await test.step('selecting the order shows its detail and timeline', async () => {
    await expect(page.getByText('Select an order to see its details.')).toBeVisible();
    await row(jane).getByRole('button').click();
    await expect(row(jane).getByRole('button')).toHaveAttribute('aria-current', 'true');
    await expect(detail.getByRole('heading', { level: 2 })).toHaveText('Jane Doe (Doe Industries)');
    await expect(badge).toHaveText('Created');
    await expect(fact('Provider order')).toHaveText(jane.providerOrderId);
    await expect(fact('Tracking')).toHaveText(jane.trackingId);
    await expect(fact('BestRx order')).toHaveText(`${jane.uniqueOrderId} / ${jane.uniqueOrderId}`);
    await expect(fact('Deliver to')).toHaveText('500 Second Ave, Suite 100, Bloomingdale, IL 60108');
    await expect(fact('Collect')).toHaveText('$97.83');
    await expect(fact('Requirements')).toHaveText('signature, 1 consent(s)');
    await expect(fact('Notes')).toHaveText('Please leave on back porch if no one is home.');
    await expect(timeline).toHaveCount(1);
    await expect(timeline.first()).toContainText('Created by bestrx');
    await expect(actions.getByRole('button')).toHaveText(['Acknowledged', 'Picked up', 'Cancelled']);
  });

  await test.step('Acknowledged → Picked up → Out for delivery', async () => {
    for (const [index, label] of ['Acknowledged', 'Picked up', 'Out for delivery'].entries()) {
      await transitionButton(label).click();
      await expect(badge).toHaveText(label);
      await expect(timeline).toHaveCount(index + 2);
      await expect(timeline.last()).toContainText(`${label} by `);
      await expect(row(jane).getByTestId('status-badge')).toHaveText(label);
    }
    await expect(actions.getByRole('button')).toHaveText(['Delivered', 'Delivery attempted', 'Unable to deliver', 'Returned to pharmacy']);
    await screenshot(page, 'order-detail');
  });

  await test.step('"Delivered" without proof is refused with the reasons, status unchanged', async () => {
    await transitionButton('Delivered').click();
    const capture = detail.getByRole('form', { name: 'Delivery capture' });
    await expect(capture).toBeVisible();
    await capture.getByRole('button', { name: 'Save delivery' }).click();
    const alert = detail.getByRole('alert');
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('A signature is required for this order.');
    await expect(alert.getByRole('listitem')).toHaveText([
      'A signature is required for this order.',
      "The signer's relation and name are required.",
      'Consent 1 (type 0) has no response.',
      '$97.83 must be collected: record the amount and payment method.',
    ]);
    await expect(badge).toHaveText('Out for delivery');
    await expect(timeline).toHaveCount(4);
    await expect(row(jane).getByTestId('status-badge')).toHaveText('Out for delivery');
    const { reply } = await appApi<OrderDetail>(request, 'orders.get', { id: jane.providerOrderId });
    expect(reply.ok && reply.value.status).toBe('out_for_delivery');
    await screenshot(page, 'refusal-alert');
    await capture.getByRole('button', { name: 'Back' }).click();
    await expect(capture).toBeHidden();
  });

  await test.step('"Delivery attempted" needs a reason', async () => {
    await transitionButton('Delivery attempted').click();
    const reason = detail.getByRole('textbox', { name: 'Reason (delivery attempted)' });
    const save = detail.getByRole('button', { name: 'Save' });
    await expect(reason).toBeFocused();
    await expect(save).toBeDisabled();
    await reason.fill('   ');
    await expect(save).toBeDisabled();

    // The core refuses a blank reason too, whoever asks.
    const blank = await appApi<OrderDetail>(request, 'orders.transition', { id: jane.providerOrderId, to: 'attempted', notes: '   ' });
    expect(blank.status).toBe(409);
    expect(blank.reply).toMatchObject({ ok: false, error: { code: 'transition_refused' } });
    await expect(badge).toHaveText('Out for delivery');

    await reason.fill('No one home; left a door tag.');
    await expect(save).toBeEnabled();
    await save.click();
    await expect(badge).toHaveText('Delivery attempted');
    await expect(reason).toBeHidden();
    await expect(detail.getByRole('alert')).toBeHidden();
    await expect(timeline).toHaveCount(5);
    await expect(timeline.last()).toContainText('Delivery attempted by ');
    await expect(timeline.last()).toContainText('— No one home; left a door tag.');
    await expect(actions.getByRole('button')).toHaveText(['Out for delivery', 'Returned to pharmacy']);
    await expect(row(jane).getByTestId('status-badge')).toHaveText('Delivery attempted');
    await screenshot(page, 'order-attempted');
  });

  expect(navigations).toBe(0);
});

interface ImageSize {
  naturalWidth: number;
  naturalHeight: number;
}

test('the label and packing slip preview in the order, and print through the browser with the print recorded', async ({ page, request }) => {
  // Headless Chromium has no print dialog: count the calls instead, and close "the dialog" at once.
  await page.addInitScript(() => {
    // (Runs in the page; this file is typed for Node, hence the casts.)
    const w = globalThis as unknown as { printCalls: number; print: () => void; dispatchEvent(event: Event): boolean };
    w.printCalls = 0;
    w.print = () => {
      w.printCalls += 1;
      w.dispatchEvent(new Event('afterprint'));
    };
  });
  const order = await createOrder(request, MARCUS);
  await page.goto('/');
  const list = page.getByRole('region', { name: 'Orders' });
  await list.getByRole('listitem').filter({ hasText: order.providerOrderId }).getByRole('button').click();
  const detail = page.getByRole('region', { name: `Order ${order.providerOrderId}` });
  const documents = detail.getByRole('region', { name: 'Label and packing slip' });

  // What is in the bag, per customer, with the money.
  const items = detail.getByRole('region', { name: 'Items' });
  await expect(items.getByRole('heading', { name: 'Marcus Okafor' })).toBeVisible();
  await expect(items.getByRole('row').filter({ hasText: /^Rx / }).first()).toBeVisible();
  await expect(items.locator('dd').filter({ hasText: '$97.83' }).first()).toBeVisible();
  await expect(detail.getByRole('region', { name: 'Told BestRx' })).toContainText('Nothing yet');

  const label = documents.getByRole('img', { name: 'Shipping label preview' });
  await expect(label).toBeVisible();
  // A real 4×6 label at 203 dpi, decoded by the browser.
  expect(await label.evaluate((img) => [(img as unknown as ImageSize).naturalWidth, (img as unknown as ImageSize).naturalHeight])).toEqual([812, 1218]);
  await screenshot(page, 'label-preview');

  await documents.getByRole('button', { name: 'Print shipping label' }).click();
  await expect(documents.getByRole('status')).toHaveText('Opened the print dialog (first copy).');
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as { printCalls: number }).printCalls)).toBe(1);
  const timeline = detail.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
  await expect(timeline.last()).toContainText('Printed by');
  await expect(timeline.last()).toContainText('Shipping label printed (copy 1).');

  await documents.getByRole('button', { name: 'Print shipping label' }).click();
  await expect(documents.getByRole('status')).toHaveText('Opened the print dialog (copy 2, a re-print).');

  await documents.getByRole('tab', { name: 'Packing slip' }).click();
  const slip = documents.getByRole('img', { name: 'Packing slip preview' });
  await expect(slip).toBeVisible();
  expect(await slip.evaluate((img) => (img as unknown as ImageSize).naturalWidth)).toBe(812);
  await screenshot(page, 'packing-slip-preview');
});

/** A licence barcode as a keyboard-wedge scanner types it: separators arrive as Enter. */
function scannedLicence(options: { idNumber: string; expires: string }): string {
  const elements = [
    `DAQ${options.idNumber}`,
    'DCSDOE',
    'DACJOHN',
    'DADNONE',
    'DBD04012021',
    'DBB03151980',
    `DBA${options.expires}`,
    'DBC1',
    'DAJIL',
    'DCGUSA',
  ];
  return `@\n\nANSI 636035080101DL00290200DL${elements.join('\n')}\n`;
}

test('a courier captures proof of delivery at the door, and BestRx receives exactly that', async ({ page, request }) => {
  const order = await createOrder(request, {
    ...MARCUS,
    photo_id_required: true,
    consents: [{ consent_header: 'Counselling offered?', consent_text: 'Did the patient accept counselling?', consent_inputs: ['yes', 'no'], consent_type: 2 }],
  });
  for (const to of ['acknowledged', 'picked_up', 'out_for_delivery']) {
    const { status } = await appApi<OrderDetail>(request, 'orders.transition', { id: order.providerOrderId, to });
    expect(status).toBe(200);
  }
  await page.goto('/');
  await page.getByRole('region', { name: 'Orders' }).getByRole('listitem').filter({ hasText: order.providerOrderId }).getByRole('button').click();
  const detail = page.getByRole('region', { name: `Order ${order.providerOrderId}` });
  await detail.getByRole('group', { name: 'Status actions' }).getByRole('button', { name: 'Delivered', exact: true }).click();
  const capture = detail.getByRole('form', { name: 'Delivery capture' });
  await expect(capture.getByText('This order needs a signature, a photo ID check, the consent answered, $97.83 collected.')).toBeVisible();

  await test.step('answer the consent', async () => {
    await capture.getByRole('radiogroup', { name: 'Answer to Counselling offered?' }).getByRole('radio', { name: 'no' }).check();
  });

  await test.step('sign with the mouse', async () => {
    const pad = capture.getByRole('img', { name: /Signature pad/ });
    const box = await pad.boundingBox();
    if (!box) throw new Error('signature pad not laid out');
    await page.mouse.move(box.x + 30, box.y + box.height * 0.7);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 30 + i * 12, box.y + box.height * (0.7 - Math.sin(i / 3) * 0.3), { steps: 2 });
    await page.mouse.up();
  });

  await test.step('an expired licence is flagged; a valid one fills the ID check', async () => {
    const scan = capture.getByRole('textbox', { name: /Scan the licence/ });
    await scan.click();
    await page.keyboard.type(scannedLicence({ idNumber: 'D10011112222', expires: '01012020' }));
    await expect(capture.getByRole('status')).toContainText('This ID has EXPIRED');
    await scan.fill('');
    await scan.click();
    await page.keyboard.type(scannedLicence({ idNumber: 'D20033334444', expires: '03152031' }));
    await expect(capture.getByRole('status')).toHaveText('Read licence D20033334444 (IL), expires 2031-03-15.');
    await expect(capture.getByRole('combobox', { name: 'ID type' })).toHaveValue('drivers_license');
    await expect(capture.getByRole('textbox', { name: 'Jurisdiction' })).toHaveValue('IL');
    await expect(capture.getByRole('textbox', { name: 'ID number' })).toHaveValue('D20033334444');
    await expect(capture.getByRole('textbox', { name: 'First name' })).toHaveValue('John');
    await expect(capture.getByRole('textbox', { name: 'Last name' })).toHaveValue('Doe');
  });

  await test.step('who signed, and the payment', async () => {
    await capture.getByRole('combobox', { name: 'Relation to the patient' }).selectOption({ label: 'Spouse' });
    await expect(capture.getByRole('spinbutton', { name: 'Amount' })).toHaveValue('97.83');
    await capture.getByRole('combobox', { name: 'Method' }).selectOption({ label: 'Cash' });
    await screenshot(page, 'delivery-capture');
  });

  await capture.getByRole('button', { name: 'Save delivery' }).click();
  await expect(detail.getByTestId('status-badge')).toHaveText('Delivered');
  await expect(capture).toBeHidden();
  // The order tells what BestRx was told, and the timeline where each step was recorded.
  await expect(detail.getByRole('region', { name: 'Told BestRx' }).getByRole('listitem').last()).toHaveText('Delivery/Shipment Delivered — BestRx has it.');
  await expect(detail.getByRole('list', { name: 'Timeline' }).getByRole('listitem').last()).toContainText('Delivered by ');
  await expect(detail.getByRole('list', { name: 'Timeline' }).getByRole('listitem').last()).toContainText(' on device ');

  await test.step('the BestRx simulator received the push with that proof', async () => {
    let push: { payload: Record<string, unknown> } | undefined;
    await expect
      .poll(async () => {
        const { reply } = await appApi<{ pushes: Array<{ payload: Record<string, unknown> }> }>(request, 'sandbox.bestrxReceived', { order_id: order.providerOrderId });
        push = reply.ok ? reply.value.pushes.find((p) => (p.payload.order_status as { status_code: string }).status_code === '7') : undefined;
        return push !== undefined;
      })
      .toBe(true);
    const payload = push!.payload;
    expect(payload.signer_info).toEqual({ relation: '3', first_name: 'John', last_name: 'Doe', jurisdiction: 'IL', id_type: '6', id_no: 'D20033334444' });
    expect(payload.consent_info).toEqual([{ consent_type: 2, consent_response: 'no' }]);
    const signature = PNG.sync.read(Buffer.from(payload.signature as string, 'base64'));
    let ink = 0;
    for (let i = 0; i < signature.data.length; i += 4) if ((signature.data[i] ?? 255) < 128) ink += 1;
    expect(ink).toBeGreaterThan(100);
    expect(payload.signature_url).toMatch(/\/signatures\/[0-9a-f-]{36}\.png\?sig=/);
  });
  await screenshot(page, 'delivered');
});

test('no serious or critical accessibility problems on the board, an order, the capture form, runs and sync status', async ({ page, request }) => {
  const order = await createOrder(request, MARCUS);
  for (const to of ['acknowledged', 'picked_up', 'out_for_delivery']) await appApi<OrderDetail>(request, 'orders.transition', { id: order.providerOrderId, to });
  await page.goto('/');
  const scan = (where: string) => expectNoSeriousA11yProblems(page, where);
  await expect(page.getByRole('region', { name: 'Orders' }).getByRole('listitem').first()).toBeVisible();
  await scan('board');
  await page.getByRole('region', { name: 'Orders' }).getByRole('listitem').filter({ hasText: order.providerOrderId }).getByRole('button').click();
  const detail = page.getByRole('region', { name: `Order ${order.providerOrderId}` });
  await expect(detail.getByRole('img', { name: 'Shipping label preview' })).toBeVisible();
  await scan('order detail');
  await detail.getByRole('group', { name: 'Status actions' }).getByRole('button', { name: 'Delivered', exact: true }).click();
  await expect(detail.getByRole('form', { name: 'Delivery capture' })).toBeVisible();
  await scan('delivery capture');
  const views = page.getByRole('navigation', { name: 'Views' });
  await views.getByRole('button', { name: 'Courier runs' }).click();
  await expect(page.getByRole('form', { name: 'New run' })).toBeVisible();
  await scan('courier runs');
  await views.getByRole('button', { name: 'Sync status' }).click();
  await expect(page.getByRole('region', { name: 'Sync status' }).getByText(/Sent to/)).toBeVisible();
  await scan('sync status');
  await views.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('table', { name: 'Order status' })).toBeVisible();
  await scan('settings');
});

test('settings show what to enter in BestRx, where updates go, edit the code tables, and change the label format', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('region', { name: 'Settings' });
  await expect(settings.getByText(BESTRX_URL, { exact: true })).toBeVisible();
  await expect(settings.getByText(BESTRX_USER, { exact: true })).toBeVisible();
  // Set in the environment for this run: shown, not replaceable from the app.
  await expect(settings.getByText('Set by RXRELAY_BESTRX_USER and RXRELAY_BESTRX_PASSWORD; change them there.')).toBeVisible();
  await expect(settings.getByText(/^Sandbox: the BestRx simulator at http:\/\/127\.0\.0\.1:\d+\/Order\/UpdateOrderStatus$/)).toBeVisible();
  const deliveredCode = settings.getByRole('textbox', { name: 'Order status: code for delivered' });
  await expect(deliveredCode).toHaveValue('7');
  await expect(settings.getByRole('textbox', { name: 'Order status: description for delivered' })).toHaveValue('Delivery/Shipment Delivered');

  // BestRx confirmed other numbers: a clash is refused whole, a good table applies at once.
  await deliveredCode.fill('2');
  await settings.getByRole('button', { name: 'Save code tables' }).click();
  await expect(settings.getByRole('alert')).toContainText('acknowledged and delivered both use code 2');
  await deliveredCode.fill('17');
  await settings.getByRole('button', { name: 'Save code tables' }).click();
  await expect(settings.getByRole('status').filter({ hasText: 'Code tables saved.' })).toBeVisible();
  const tables = await appApi<{ status: { delivered: { code: string } } }>(page.request, 'settings.codeTables', {});
  expect(tables.reply.ok && tables.reply.value.status.delivered.code).toBe('17');
  page.once('dialog', (dialog) => void dialog.accept());
  await settings.getByRole('button', { name: 'Restore defaults' }).click();
  await expect(settings.getByRole('status').filter({ hasText: 'Default code tables restored.' })).toBeVisible();
  await expect(deliveredCode).toHaveValue('7');

  const format = settings.getByRole('combobox', { name: 'Image format for BestRx' });
  await format.selectOption('gif');
  await expect(settings.getByRole('status').filter({ hasText: 'Saved. New orders from BestRx use it at once.' })).toBeVisible();
  const { reply } = await appApi<{ label_image_format: string }>(page.request, 'settings.get', {});
  expect(reply.ok && reply.value.label_image_format).toBe('gif');
  await screenshot(page, 'settings');
  await format.selectOption('png');
  await expect(format).toHaveValue('png');

  // The camera for ID scanning is off until an administrator allows it.
  const camera = settings.getByRole('checkbox', { name: /Let the app use the camera to scan an ID/ });
  await expect(camera).not.toBeChecked();
  // The box follows the saved setting, so it ticks once the core has it.
  await camera.click();
  await expect(camera).toBeChecked();
  await expect.poll(async () => {
    const current = await appApi<{ id_scan_by_camera: boolean }>(page.request, 'settings.get', {});
    return current.reply.ok && current.reply.value.id_scan_by_camera;
  }).toBe(true);
  await camera.click();
  await expect(camera).not.toBeChecked();

  // A backup on demand, listed as checked; the support bundle downloads and holds no patient data.
  const backups = settings.getByRole('region', { name: 'Backups and diagnostics' });
  await backups.getByRole('button', { name: 'Back up now' }).click();
  await expect(backups.getByRole('status')).toContainText('Backed up and checked: rxrelay-');
  await expect(backups.getByRole('row').filter({ hasText: /rxrelay-.*\.db/ }).first()).toContainText('Yes');
  const download = page.waitForEvent('download');
  await backups.getByRole('button', { name: 'Export diagnostics for support' }).click();
  const bundle = await download;
  const text = await readFile((await bundle.path()) as string, 'utf8');
  expect(JSON.stringify(JSON.parse(text))).toContain('row_counts');
  for (const phi of ['Jane', 'Doe Industries', '500 Second Ave']) expect(text).not.toContain(phi);
  await screenshot(page, 'settings-backups');
});

test('scanning a label opens its order, from the Code 128 or the QR; quick filters narrow the board', async ({ page, request }) => {
  const cold = await createOrder(request, { ...MARCUS, refrigeration_needed: true });
  const warm = await createOrder(request, { ...MARCUS, refrigeration_needed: false });
  await page.goto('/');
  const list = page.getByRole('region', { name: 'Orders' });
  await expect(list.getByRole('listitem').filter({ hasText: warm.providerOrderId })).toBeVisible();

  // Focus outside any text field, then "scan": a fast burst of keys ending with Enter.
  await page.getByRole('heading', { name: 'RxRelay' }).click();
  await page.keyboard.type(`${cold.trackingId}\n`, { delay: 4 });
  await expect(page.getByRole('region', { name: `Order ${cold.providerOrderId}` })).toBeVisible();
  await expect(list.getByRole('status')).toHaveText(`Scanned: opened Marcus Okafor, ${cold.providerOrderId}.`);

  await page.getByRole('heading', { name: 'RxRelay' }).click();
  await page.keyboard.type(`http://127.0.0.1:18510/track/${warm.trackingId}?sig=abc\n`, { delay: 4 });
  await expect(page.getByRole('region', { name: `Order ${warm.providerOrderId}` })).toBeVisible();

  await page.getByRole('heading', { name: 'RxRelay' }).click();
  await page.keyboard.type('9999999999999999\n', { delay: 4 });
  await expect(list.getByRole('status')).toHaveText('No order matches the scanned code 9999999999999999.');

  const filters = list.getByRole('group', { name: 'Quick filters' });
  await filters.getByRole('button', { name: 'Refrigerated' }).click();
  await expect(filters.getByRole('button', { name: 'Refrigerated' })).toHaveAttribute('aria-pressed', 'true');
  await expect(list.getByRole('listitem').filter({ hasText: cold.providerOrderId })).toBeVisible();
  await expect(list.getByRole('listitem').filter({ hasText: warm.providerOrderId })).toBeHidden();
  await screenshot(page, 'board-refrigerated-filter');
  await filters.getByRole('button', { name: 'Refrigerated' }).click();
  await expect(list.getByRole('listitem').filter({ hasText: warm.providerOrderId })).toBeVisible();
});

test('sync status shows a push BestRx refused, in plain words, and sends it again', async ({ page, request }) => {
  const order = await createOrder(request, MARCUS);
  const fault = await appApi<{ queued: number }>(request, 'sandbox.bestrxFault', { kind: 'http-400', order_id: order.providerOrderId });
  expect(fault.status, JSON.stringify(fault.reply)).toBe(200);
  await appApi<OrderDetail>(request, 'orders.transition', { id: order.providerOrderId, to: 'acknowledged' });

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Sync status' }).click();
  const sync = page.getByRole('region', { name: 'Sync status' });
  const row = sync.getByRole('row').filter({ hasText: order.providerOrderId });
  await expect(row).toContainText('Order Acknowledged');
  await expect(row).toContainText('Given up');
  await expect(row).toContainText('BestRx refused this update as invalid. RxRelay stopped trying: send it again, or skip it.');
  await screenshot(page, 'sync-status');

  await row.getByRole('button', { name: 'Send again now' }).click();
  await expect(row).toBeHidden();
  await sync.getByRole('group', { name: 'Show' }).getByRole('button', { name: /^Sent/ }).click();
  await expect(sync.getByRole('row').filter({ hasText: order.providerOrderId })).toContainText('BestRx has it.');
});

test('a courier run goes out: orders handed to a courier, run sheet printed, picked up and out for delivery', async ({ page, request }) => {
  const first = await createOrder(request, MARCUS);
  const second = await createOrder(request);
  await page.goto('/');
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Courier runs' }).click();
  const runs = page.getByRole('region', { name: 'Courier runs' });
  const form = runs.getByRole('form', { name: 'New run' });
  // Ticked in driving order: the second order is the first stop.
  await form.getByRole('listitem').filter({ hasText: second.providerOrderId }).getByRole('checkbox').check();
  await form.getByRole('listitem').filter({ hasText: first.providerOrderId }).getByRole('checkbox').check();
  await form.getByRole('textbox', { name: 'Courier' }).fill('Dana');
  await form.getByRole('textbox', { name: 'Run name (optional)' }).fill('E2E afternoon');
  await form.getByRole('button', { name: 'Create run with 2 stops' }).click();
  await expect(runs.getByRole('status')).toHaveText('Run "E2E afternoon" created with 2 stops.');
  const run = runs.getByRole('article', { name: 'Run E2E afternoon' });
  await expect(run.getByRole('listitem')).toHaveCount(2);
  await expect(run.getByRole('listitem').first()).toContainText('Jane Doe');
  await expect(form.getByRole('listitem').filter({ hasText: first.providerOrderId })).toHaveCount(0);
  await screenshot(page, 'courier-run');

  const download = page.waitForEvent('download');
  await run.getByRole('button', { name: 'Download run sheet (PDF)' }).click();
  const pdf = await download;
  expect(pdf.suggestedFilename()).toMatch(/^run-sheet-\d{4}-\d{2}-\d{2}\.pdf$/);
  const path = await pdf.path();
  expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');

  await run.getByRole('button', { name: 'Picked up' }).click();
  await expect(runs.getByRole('status')).toHaveText('E2E afternoon: 2 orders marked picked up.');
  await run.getByRole('button', { name: 'Out for delivery' }).click();
  await expect(runs.getByRole('status')).toHaveText('E2E afternoon: 2 orders marked out for delivery.');
  await expect(run.getByTestId('status-badge')).toHaveText(['Out for delivery', 'Out for delivery']);
  for (const order of [first, second]) {
    const { reply } = await appApi<OrderDetail>(request, 'orders.get', { id: order.providerOrderId });
    expect(reply.ok && reply.value.status).toBe('out_for_delivery');
  }
});

test('the board stays a window onto 10,000 orders: only rows in view are drawn, the rest load as they scroll in', async ({ page, request }) => {
  test.setTimeout(240_000);
  // Rendering labels inline would make seeding 10,000 orders take minutes; the board does not care.
  await appApi(request, 'settings.update', { inline_label_images: false });
  try {
    const auth = `Basic ${Buffer.from(`${BESTRX_USER}:${BESTRX_PASSWORD}`).toString('base64')}`;
    const body = seedExample('create-order.request');
    const base = nextUniqueOrderId() + 1_000_000;
    for (let batch = 0; batch < 200; batch++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const id = base + batch * 50 + i;
          const response = await request.post(`${BESTRX_URL}/Order/CreateOrder`, {
            headers: { authorization: auth, 'content-type': 'application/json' },
            data: { ...body, bestrx_order_id: id, bestrx_unique_order_id: id },
          });
          expect(response.status()).toBe(200);
        }),
      );
    }
  } finally {
    await appApi(request, 'settings.update', { inline_label_images: true });
  }

  await page.goto('/');
  const list = page.getByRole('region', { name: 'Orders' });
  const count = list.getByText(/^\d+ orders$/);
  await expect(count).toBeVisible();
  const total = Number((await count.textContent())?.split(' ')[0]);
  expect(total).toBeGreaterThanOrEqual(10_000);
  const rows = list.getByRole('listitem');
  expect(await rows.count()).toBeLessThan(60);

  // To the bottom: the oldest order, loaded on demand; still only a window of rows in the page.
  await list.locator('.orders-viewport').evaluate((element) => {
    element.scrollTop = element.scrollHeight;
  });
  const last = list.locator(`li[aria-posinset="${total}"]`);
  await expect(last.getByRole('button')).toBeVisible();
  expect(await rows.count()).toBeLessThan(60);
  await screenshot(page, 'board-10000-bottom');

  // Halfway, then a search: both answer from the server, never from 10,000 rows in the page.
  await list.locator('.orders-viewport').evaluate((element) => {
    element.scrollTop = element.scrollHeight / 2;
  });
  await expect(list.locator(`li[aria-posinset="${Math.floor(total / 2)}"]`).getByRole('button')).toBeVisible();
  await list.getByRole('searchbox', { name: 'Search' }).fill('Okafor');
  await expect(list.getByText(/^\d+ orders?$/)).not.toHaveText(`${total} orders`);
});
