// Staff accounts and the audit log end to end (issue 9). Creating an account closes every desk
// that has not signed in, so this spec runs a headless RxRelay of its own (own-server.ts) and
// leaves the shared one open for the other specs.
//
// The journey: an open desk (no accounts) → the first administrator → sign-in → a counter
// account → the counter works the board, locks, unlocks; a call refused because the desk was
// locked elsewhere brings the lock screen; too many wrong PINs lock the account out, an
// administrator lifts it; the audit log shows the sign-ins and the order read and verifies;
// the screen locks itself when idle.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { AppApiReply } from '../../src-shared/app-api-contract';
import { seedExample } from '../helpers/fixtures';
import { BESTRX_PASSWORD, BESTRX_USER } from './e2e-env';
import { expectNoSeriousA11yProblems, nextUniqueOrderId, screenshot } from './e2e-helpers';
import { startOwnServer, type OwnServer } from './own-server';

const ADMIN = { name: 'Ann Admin', username: 'ann', pin: '482913' };
const COUNTER = { name: 'Maria Counter', username: 'maria', pin: '730518' };
const COURIER_PASSWORD = 'out the door at nine';

let server: OwnServer;

test.beforeAll(async () => {
  server = await startOwnServer('staff', 'e2e-staff-api-token-0123456789');
});
test.afterAll(async () => {
  await server?.stop();
});

async function createOrder(request: APIRequestContext): Promise<string> {
  const uniqueOrderId = nextUniqueOrderId();
  const response = await request.post(`${server.bestrxUrl}/Order/CreateOrder`, {
    headers: { authorization: `Basic ${Buffer.from(`${BESTRX_USER}:${BESTRX_PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
    data: { ...seedExample('create-order.request'), bestrx_order_id: uniqueOrderId, bestrx_unique_order_id: uniqueOrderId },
  });
  const json = (await response.json()) as { data: { provider_order_id: string } };
  expect(response.status(), JSON.stringify(json)).toBe(200);
  return json.data.provider_order_id;
}

/** The app API of this spec's server, as a script with the token calls it (the same desk as the page). */
async function appApi<T>(request: APIRequestContext, method: string, input: object): Promise<AppApiReply<T>> {
  const response = await request.post(`${server.uiUrl}api/${method}`, { headers: { authorization: `Bearer ${server.apiToken}` }, data: input });
  return (await response.json()) as AppApiReply<T>;
}

async function signIn(page: Page, who: { username: string; pin: string }): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Username', { exact: true }).fill(who.username);
  await form.getByLabel('PIN or password').fill(who.pin);
  // Enter submits.
  await form.getByLabel('PIN or password').press('Enter');
  await expect(page.getByRole('region', { name: 'Who is signed in' })).toBeVisible();
}

test('staff sign in, lock and unlock; an administrator manages accounts and reads the audit log', async ({ page, request }) => {
  test.setTimeout(180_000);
  // The page's clock is the test's to move (the idle lock at the end); it runs on by itself meanwhile.
  await page.clock.install();
  const orderId = await createOrder(request);
  const orders = page.getByRole('region', { name: 'Orders' });
  const orderRow = orders.getByRole('listitem').filter({ hasText: orderId });
  const detail = page.getByRole('region', { name: `Order ${orderId}` });
  const nav = page.getByRole('navigation', { name: 'Views' });
  const chip = page.getByRole('region', { name: 'Who is signed in' });
  const signInForm = page.getByRole('form', { name: 'Sign in' });
  const staff = page.getByRole('region', { name: 'Staff', exact: true });

  await test.step('with no accounts the desk is open: the board works, and the header says anyone can use it', async () => {
    await page.goto(server.uiUrl);
    await expect(orderRow).toBeVisible();
    await expect(chip).toContainText('No staff accounts yet: anyone here can use RxRelay.');
    await expect(nav.getByRole('button', { name: 'Audit log' })).toBeVisible();
  });

  await test.step('Settings → Staff explains, and creates the first administrator', async () => {
    await chip.getByRole('button', { name: 'Set up sign-in' }).click();
    await expect(staff.getByText('No staff accounts yet: anyone at this desk can use RxRelay, without signing in.')).toBeVisible();
    const form = staff.getByRole('form', { name: 'Create the first administrator' });
    await form.getByLabel('Name', { exact: true }).fill(ADMIN.name);
    await form.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await form.getByLabel('PIN', { exact: true }).fill(ADMIN.pin);
    await form.getByLabel('PIN again').fill('482931');
    await form.getByRole('button', { name: 'Create administrator' }).click();
    await expect(form.getByRole('alert')).toContainText('The two PINs differ: type the same PIN twice.');

    // The core's own rule, in the form's words.
    await form.getByLabel('PIN', { exact: true }).fill('123456');
    await form.getByLabel('PIN again').fill('123456');
    await form.getByRole('button', { name: 'Create administrator' }).click();
    await expect(form.getByRole('alert')).toContainText('PIN or password: that PIN is too easy to guess (repeated or consecutive digits).');
    await screenshot(page, 'staff-first-admin');
    await expectNoSeriousA11yProblems(page, 'first administrator form', '.settings');

    await form.getByLabel('PIN', { exact: true }).fill(ADMIN.pin);
    await form.getByLabel('PIN again').fill(ADMIN.pin);
    await form.getByRole('button', { name: 'Create administrator' }).click();
  });

  await test.step('from then on the app asks to sign in, and shows nothing else', async () => {
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'The administrator account ann was created. Sign in with it to go on.' })).toBeVisible();
    await expect(signInForm.getByLabel('Username', { exact: true })).toHaveValue(ADMIN.username);
    await expect(orders).toHaveCount(0);
    await expect(nav).toHaveCount(0);
    // A script with the API token is refused too.
    expect(await appApi(request, 'orders.list', { limit: 1 })).toEqual({ ok: false, error: { code: 'unauthorized', message: 'Sign in with your staff account first.' } });

    await signInForm.getByLabel('PIN or password').fill('000001');
    await signInForm.getByLabel('PIN or password').press('Enter');
    await expect(signInForm.getByRole('alert')).toHaveText('Wrong username or PIN/password.');
    await expect(signInForm.getByLabel('PIN or password')).toHaveValue('');
    await screenshot(page, 'staff-sign-in');
    await expectNoSeriousA11yProblems(page, 'sign-in screen');

    await signIn(page, ADMIN);
    await expect(chip).toContainText(`${ADMIN.name} Administrator`);
    await expect(orderRow).toBeVisible();
  });

  await test.step('the administrator adds a counter account', async () => {
    await nav.getByRole('button', { name: 'Settings' }).click();
    await expect(staff.getByRole('row', { name: /Ann Admin \(you\)/ })).toContainText('Administrator');
    const form = staff.getByRole('form', { name: 'Add a staff account' });
    await form.getByLabel('Name', { exact: true }).fill(COUNTER.name);
    await form.getByLabel('Username', { exact: true }).fill(COUNTER.username);
    await form.getByLabel('Role').selectOption({ label: 'Counter staff' });
    await form.getByLabel('PIN', { exact: true }).fill(COUNTER.pin);
    await form.getByLabel('PIN again').fill(COUNTER.pin);
    await form.getByRole('button', { name: 'Add account' }).click();
    await expect(staff.getByRole('status')).toHaveText('Added Maria Counter (maria), Counter staff. They sign in with the PIN you chose.');
    const row = staff.getByRole('row', { name: /Maria Counter/ });
    await expect(row).toContainText('maria');
    await expect(row).toContainText('Counter staff');
    await expect(row).toContainText('PIN');
    await expect(row).toContainText('Active');
    await expect(form.getByLabel('Name', { exact: true })).toHaveValue('');
    await staff.scrollIntoViewIfNeeded();
    await screenshot(page, 'staff-accounts');
    await expectNoSeriousA11yProblems(page, 'Settings → Staff', '.settings');
  });

  await test.step('signing out leaves the sign-in screen; the counter signs in and sees only their views', async () => {
    await chip.getByRole('button', { name: 'Sign out' }).click();
    await expect(signInForm).toBeVisible();
    await expect(orders).toHaveCount(0);
    await signIn(page, COUNTER);
    await expect(chip).toContainText(`${COUNTER.name} Counter staff`);
    await expect(nav.getByRole('button')).toHaveText(['Board', 'Incoming prescriptions', 'Courier runs', 'Sync status']);
    await expect(nav.getByRole('button', { name: 'Settings' })).toHaveCount(0);
    await expect(nav.getByRole('button', { name: 'Audit log' })).toHaveCount(0);
    // The BestRx credentials in the header are the administrator's to see.
    await expect(page.getByRole('region', { name: 'BestRx connection' })).toHaveCount(0);
    await orderRow.click();
    await expect(detail).toBeVisible();
    await expect(detail).toContainText('Jane Doe');
    await expect(detail.getByRole('group', { name: 'Fulfilment partner' })).toBeVisible();
    await screenshot(page, 'staff-counter-board');
  });

  await test.step('Lock: the lock screen replaces the board and the order, with nothing of the patient left in the page', async () => {
    await chip.getByRole('button', { name: 'Lock' }).click();
    await expect(page.getByRole('heading', { name: `Locked — ${COUNTER.name}` })).toBeVisible();
    await expect(orders).toHaveCount(0);
    await expect(detail).toHaveCount(0);
    expect(await page.content()).not.toContain('Jane Doe');
    expect(await page.content()).not.toContain(orderId);
    await screenshot(page, 'staff-locked');
    await expectNoSeriousA11yProblems(page, 'lock screen');

    const unlock = page.getByRole('form', { name: 'Unlock' });
    await unlock.getByLabel('PIN or password').fill('000001');
    await unlock.getByLabel('PIN or password').press('Enter');
    await expect(unlock.getByRole('alert')).toHaveText('Wrong username or PIN/password.');
    await unlock.getByLabel('PIN or password').fill(COUNTER.pin);
    await unlock.getByRole('button', { name: 'Unlock' }).click();
    // Back where they were: the same order, fetched again.
    await expect(detail).toContainText('Jane Doe');
    await expect(chip).toContainText(COUNTER.name);
  });

  await test.step('a call refused because the desk locked elsewhere brings the lock screen at once', async () => {
    // The core locks this desk (as its idle lock would); the page learns it from its next call.
    expect((await appApi(request, 'auth.lock', {})).ok).toBe(true);
    await nav.getByRole('button', { name: 'Courier runs' }).click();
    await expect(page.getByRole('heading', { name: `Locked — ${COUNTER.name}` })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Courier runs' })).toHaveCount(0);
    const unlock = page.getByRole('form', { name: 'Unlock' });
    await unlock.getByLabel('PIN or password').fill(COUNTER.pin);
    await unlock.getByLabel('PIN or password').press('Enter');
    await expect(chip).toContainText(COUNTER.name);
  });

  await test.step('“Sign in as someone else” from the lock screen; five wrong PINs lock an account out', async () => {
    await chip.getByRole('button', { name: 'Lock' }).click();
    await page.getByRole('button', { name: 'Sign in as someone else' }).click();
    await expect(signInForm).toBeVisible();
    await signInForm.getByLabel('Username', { exact: true }).fill(COUNTER.username);
    for (let attempt = 1; attempt <= 4; attempt++) {
      await signInForm.getByLabel('PIN or password').fill(`90000${attempt}`);
      await signInForm.getByLabel('PIN or password').press('Enter');
      await expect(signInForm.getByRole('alert')).toHaveText('Wrong username or PIN/password.');
      await expect(signInForm.getByLabel('PIN or password')).toHaveValue('');
    }
    await signInForm.getByLabel('PIN or password').fill('900005');
    await signInForm.getByLabel('PIN or password').press('Enter');
    await expect(signInForm.getByRole('alert')).toHaveText('Too many wrong attempts: the account is locked for 15 minutes (an administrator can unlock it).');
    // Now even the right PIN is refused, with the time it lasts.
    await signInForm.getByLabel('PIN or password').fill(COUNTER.pin);
    await signInForm.getByLabel('PIN or password').press('Enter');
    await expect(signInForm.getByRole('alert')).toContainText('This account is locked after 5 wrong attempts until');
    await screenshot(page, 'staff-locked-out');
  });

  await test.step('the administrator lifts the lock-out', async () => {
    await signIn(page, ADMIN);
    await nav.getByRole('button', { name: 'Settings' }).click();
    const row = staff.getByRole('row', { name: /Maria Counter/ });
    await expect(row).toContainText('Locked out until');
    await row.getByRole('button', { name: 'Unlock' }).click();
    await expect(staff.getByRole('status')).toHaveText('Maria Counter can sign in again.');
    await expect(row).toContainText('Active');
  });

  await test.step('the audit log shows the sign-ins, the lock-out and the order read, newest first', async () => {
    await nav.getByRole('button', { name: 'Audit log' }).click();
    const log = page.getByRole('region', { name: 'Audit log' });
    const rows = log.getByRole('table').getByRole('row');
    await expect(rows.filter({ hasText: 'Signed in' }).filter({ hasText: COUNTER.username }).first()).toBeVisible();
    await expect(rows.filter({ hasText: 'Signed in' }).filter({ hasText: ADMIN.username }).first()).toBeVisible();
    await expect(rows.filter({ hasText: 'Locked out after too many wrong attempts' })).toHaveCount(1);
    await expect(rows.filter({ hasText: 'Created a staff account' })).toHaveCount(2);
    const read = rows.filter({ hasText: 'Opened an order' }).filter({ hasText: COUNTER.username });
    await expect(read.first()).toContainText(orderId);
    // Newest first: the first row is the newest sequence number.
    const seqs = (await log.locator('tbody td.seq').allTextContents()).map(Number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    // Nothing of the patient is in the log.
    await expect(log).not.toContainText('Jane');
    await screenshot(page, 'staff-audit-log');
    await expectNoSeriousA11yProblems(page, 'audit log', '.audit-log');

    // By order: only what was done to this order, by whom.
    await log.getByLabel('Order id').fill(orderId);
    await log.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(log.getByText(/entr(y|ies) for /)).toBeVisible();
    await expect(rows.filter({ hasText: 'Opened an order' }).filter({ hasText: COUNTER.username }).first()).toBeVisible();
    await expect(rows.filter({ hasText: 'Signed in' })).toHaveCount(0);
    await screenshot(page, 'staff-audit-by-order');

    // By user, from a row.
    await log.getByRole('button', { name: 'Show all' }).click();
    await rows.filter({ hasText: 'Signed in' }).filter({ hasText: COUNTER.username }).first().getByRole('button', { name: `Show only ${COUNTER.username}` }).click();
    await expect(log.getByLabel('User')).toHaveValue(COUNTER.username);
    await expect(log.locator('tbody tr').filter({ hasNotText: COUNTER.username })).toHaveCount(0);
    await log.getByRole('button', { name: 'Show all' }).click();
  });

  await test.step('Verify the chain says it is intact; Export CSV downloads the log', async () => {
    const log = page.getByRole('region', { name: 'Audit log' });
    await log.getByRole('button', { name: 'Verify the chain' }).click();
    await expect(log.getByRole('status')).toHaveText(/^The chain is intact: all \d+ rows checked, none changed or removed\.$/);
    await screenshot(page, 'staff-audit-verified');

    const download = page.waitForEvent('download');
    await log.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^rxrelay-audit-.+\.csv$/);
    const csv = readFileSync(await file.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('seq,at,actor,action,category,subject,details,prev_hash,hash');
    expect(csv).toContain(`,maria,orders.get,read,${orderId},`);
  });

  await test.step('the log shows a hundred rows at a time; “Load older” brings the rest', async () => {
    // A script with the token, at this desk: each read is recorded under the administrator signed in here.
    for (let i = 0; i < 100; i++) expect((await appApi(request, 'orders.get', { id: orderId })).ok).toBe(true);
    const log = page.getByRole('region', { name: 'Audit log' });
    const bodyRows = log.locator('tbody tr');
    await log.getByRole('button', { name: 'Show', exact: true }).click();
    await expect(bodyRows).toHaveCount(100);
    await expect(log.getByText(/^The newest 100 of 1\d\d entries\.$/)).toBeVisible();
    await log.getByRole('button', { name: 'Load older' }).click();
    // Back to the first row ever written; nothing older to load.
    await expect(bodyRows.last().locator('td.seq')).toHaveText('1');
    await expect(log.getByRole('button', { name: 'Load older' })).toHaveCount(0);
    expect(await bodyRows.count()).toBeGreaterThan(100);
    const seqs = (await log.locator('tbody td.seq').allTextContents()).map(Number);
    expect(new Set(seqs).size).toBe(seqs.length);
    await screenshot(page, 'staff-audit-older');
  });

  await test.step('the screen locks itself after the idle minutes an administrator sets', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Settings' }).click();
    const form = staff.getByRole('form', { name: 'Idle lock' });
    await form.getByRole('spinbutton').fill('1');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(form.getByRole('status')).toHaveText('Saved: an idle screen locks after 1 minute.');
    // A minute without a key or the mouse (the page's clock, moved on).
    await page.clock.fastForward('01:05');
    await expect(page.getByRole('heading', { name: `Locked — ${ADMIN.name}` })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Settings' })).toHaveCount(0);
    const unlock = page.getByRole('form', { name: 'Unlock' });
    await unlock.getByLabel('PIN or password').fill(ADMIN.pin);
    await unlock.getByLabel('PIN or password').press('Enter');
    await expect(chip).toContainText(ADMIN.name);
  });

  await test.step('the administrator changes an account: its role, a password instead of a PIN, disabled and enabled again', async () => {
    const row = staff.getByRole('row', { name: /Maria Counter/ });
    const said = (text: string) => staff.getByRole('status').filter({ hasText: text });
    await row.getByRole('button', { name: 'Change' }).click();
    const change = staff.getByRole('form', { name: 'Change Maria Counter' });
    await change.getByLabel('Role').selectOption({ label: 'Courier' });
    await change.getByRole('button', { name: 'Save' }).click();
    await expect(said('Maria Counter (maria) saved: Courier. They were signed out to take on the new role.')).toBeVisible();
    await expect(row).toContainText('Courier');

    await row.getByRole('button', { name: 'New PIN' }).click();
    const secret = staff.getByRole('form', { name: 'New PIN or password for Maria Counter' });
    await secret.getByLabel('A password').check();
    await secret.getByLabel('Password', { exact: true }).fill(COURIER_PASSWORD);
    await secret.getByLabel('Password again').fill(COURIER_PASSWORD);
    await secret.getByRole('button', { name: 'Save' }).click();
    await expect(said('Maria Counter has a new password; any lock-out is lifted. Tell them in person.')).toBeVisible();
    await expect(row).toContainText('Password');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Disable' }).click();
    await expect(said('Maria Counter is disabled and signed out.')).toBeVisible();
    await expect(row).toContainText('Disabled');
    await row.getByRole('button', { name: 'Enable' }).click();
    await expect(said('Maria Counter can sign in again.')).toBeVisible();
    await expect(row).toContainText('Active');
  });

  await test.step('as a courier, with the new password: the board and courier runs only', async () => {
    await chip.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, { username: COUNTER.username, pin: COURIER_PASSWORD });
    await expect(chip).toContainText(`${COUNTER.name} Courier`);
    await expect(nav.getByRole('button')).toHaveText(['Board', 'Courier runs']);
    await orderRow.click();
    await expect(detail).toContainText('Jane Doe');
    // Handing an order to a partner is the counter's: nothing of it for a courier.
    await expect(detail.getByRole('group', { name: 'Fulfilment partner' })).toHaveCount(0);
    await screenshot(page, 'staff-courier-board');
  });
});
