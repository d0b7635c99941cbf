// Labels and packing slips end to end: CreateOrder's links and inline images, the listener's
// label routes (signed or with BestRx's credentials), the app API's preview, print and run
// sheet, and every print recorded on the order's timeline.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppApiInput, AppApiMethod, AppApiOutput, AppApiReply } from '../../src-shared/app-api-contract';
import { SettingKeys } from '../../src-main/core/settings/settings-store';
import type { DocumentPrinter, PrintJob } from '../../src-main/core/labels/document-service';
import { createOrderBody } from '../helpers/fixtures';
import { httpRequest } from '../helpers/http';
import { readPdf } from '../helpers/read-pdf';
import { readCode128, readJpeg, readPng, readQr } from '../helpers/read-image';
import { startHarness, snapshotDatabase, type Harness } from '../helpers/rxrelay-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** The app API as the renderer calls it, typed by the shared contract. */
function callApi<M extends AppApiMethod>(harness: Harness, method: M, input: AppApiInput<M>): Promise<AppApiReply<AppApiOutput<M>>> {
  return harness.core.appApi.call(method, input, { actor: 'counter-1' }) as Promise<AppApiReply<AppApiOutput<M>>>;
}
let nextUniqueId = 5000;

async function createOrder(harness: Harness, overrides: Record<string, unknown> = {}) {
  const response = await harness.post('/Order/CreateOrder', createOrderBody({ bestrx_unique_order_id: nextUniqueId++, ...overrides }));
  expect(response.status).toBe(200);
  return response.json.data;
}

const printEvents = (harness: Harness, orderId: string) => harness.core.orders.get(orderId).events.filter((e) => e.type === 'label_printed');

describe('CreateOrder', () => {
  it('hands out signed label and manifest links, and inline images whose barcodes read back as the order', async () => {
    h = await startHarness();
    const data = await createOrder(h);
    const label = readPng(Buffer.from(data.label_image, 'base64'));
    expect([label.width, label.height, label.dpi]).toEqual([812, 1218, 203]);
    expect(readCode128(label)).toBe(data.tracking_id);
    expect(readQr(label)).toBe(data.tracking_url);
    const slip = readPng(Buffer.from(data.manifesto_image, 'base64'));
    expect(slip.width).toBe(812);
    expect(slip.height).toBeGreaterThanOrEqual(1218);
    // The same images as the links serve, and handing them out inline is not a print.
    const fetched = await httpRequest(data.label_url, { method: 'GET' });
    expect(fetched.body.equals(Buffer.from(data.label_image, 'base64'))).toBe(true);
    expect(printEvents(h, data.provider_order_id)).toHaveLength(1);
  });

  it('leaves label_image and manifesto_image empty when inline images are turned off', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    expect(data.label_image).toBe('');
    expect(data.manifesto_image).toBe('');
    expect(data.label_url).toMatch(/\/labels\/RXR-\w+\.png\?sig=/);
  });

  it('uses the label format setting for the links, the images and label_file_type', async () => {
    h = await startHarness();
    const settings = await callApi(h, 'settings.update', { label_image_format: 'jpeg' });
    expect(settings).toEqual({ ok: true, value: { inline_label_images: true, label_image_format: 'jpeg', id_scan_by_camera: false } });
    const data = await createOrder(h);
    expect(data.label_file_type).toBe(2);
    expect(data.manifesto_file_type).toBe(2);
    expect(data.label_url).toMatch(/\.jpg\?sig=/);
    const label = readJpeg(Buffer.from(data.label_image, 'base64'));
    expect(readCode128(label)).toBe(data.tracking_id);
  });

  it('refuses a settings change of the wrong type and keeps the old value', async () => {
    h = await startHarness();
    const reply = await callApi(h, 'settings.update', { label_image_format: 'bmp' as 'png' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await callApi(h, 'settings.get', {})).toEqual({ ok: true, value: { inline_label_images: true, label_image_format: 'png', id_scan_by_camera: false } });
  });
});

describe('label routes on the BestRx listener', () => {
  it('opens a signed link without credentials, and refuses it unsigned or altered', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    const signed = await httpRequest(data.label_url, { method: 'GET' });
    expect(signed.status).toBe(200);
    expect(signed.headers['content-type']).toBe('image/png');
    expect(signed.headers['cache-control']).toBe('private, no-store');
    const unsigned = await httpRequest(data.label_url.replace(/\?sig=.*$/, ''), { method: 'GET' });
    expect(unsigned.status).toBe(401);
    const other = await createOrder(h);
    const swapped = await httpRequest(data.label_url.replace(data.provider_order_id, other.provider_order_id), { method: 'GET' });
    expect(swapped.status).toBe(401);
    // The signature covers the file name: a signed PNG link does not open the ZPL.
    const asZpl = await httpRequest(data.label_url.replace('.png?', '.zpl?'), { method: 'GET' });
    expect(asZpl.status).toBe(401);
  });

  it('serves every format at both resolutions with BestRx credentials', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    const get = (path: string) => httpRequest(h!.baseUrl + path, { method: 'GET', headers: { authorization: h!.auth } });
    const id = data.provider_order_id;

    const png300 = await get(`/labels/${id}.png?dpi=300`);
    expect(png300.status).toBe(200);
    const image = readPng(png300.body);
    expect([image.width, image.height, image.dpi]).toEqual([1200, 1800, 300]);
    expect(readCode128(image)).toBe(data.tracking_id);

    const jpeg = await get(`/labels/${id}.jpg`);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    const gif = await get(`/labels/${id}.gif`);
    expect(gif.headers['content-type']).toBe('image/gif');
    expect(gif.body.subarray(0, 6).toString()).toBe('GIF89a');

    const zpl = await get(`/labels/${id}.zpl`);
    expect(zpl.status).toBe(200);
    expect(zpl.headers['content-type']).toMatch(/^application\/x-zpl/);
    expect(zpl.text).toMatch(/^\^XA/);
    expect(zpl.text).toContain(data.tracking_id);
    expect(zpl.text.trimEnd()).toMatch(/\^XZ$/);

    const slip = await get(`/manifests/${id}.png`);
    expect(slip.status).toBe(200);
    expect(readPng(slip.body).width).toBe(812);
  });

  it('answers bad label requests in the envelope and records nothing', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    const before = snapshotDatabase(h.db);
    const get = (path: string) => httpRequest(h!.baseUrl + path, { method: 'GET', headers: { authorization: h!.auth } });
    const cases: Array<[string, number]> = [
      [`/labels/${data.provider_order_id}.png?dpi=600`, 400],
      [`/labels/${data.provider_order_id}.bmp`, 404],
      [`/manifests/${data.provider_order_id}.zpl`, 404],
      ['/labels/RXR-0000000000000.png', 404],
      ['/labels/..%2Fetc%2Fpasswd.png', 404],
    ];
    for (const [path, status] of cases) {
      const response = await get(path);
      expect(response.status, path).toBe(status);
      expect(response.json, path).toMatchObject({ data: {}, request_is_valid: false, messages: [expect.objectContaining({ message_type: 2 })] });
    }
    expect(snapshotDatabase(h.db)).toEqual(before);
  });

  it('records each fetch as a print, so a re-print shows on the timeline', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    await httpRequest(data.label_url, { method: 'GET' });
    await httpRequest(data.label_url, { method: 'GET' });
    await httpRequest(data.manifesto_url, { method: 'GET' });
    const prints = printEvents(h, data.provider_order_id);
    expect(prints.map((e) => [e.actor, e.notes])).toEqual([
      ['bestrx', 'Shipping label fetched by BestRx to print (copy 1).'],
      ['bestrx', 'Shipping label fetched by BestRx to print (copy 2, a re-print).'],
      ['bestrx', 'Packing slip fetched by BestRx to print (copy 1).'],
    ]);
    // Prints are not statuses: BestRx is not sent a push for them.
    await h.settle();
    const outbox = await callApi(h, 'outbox.list', { order_id: data.provider_order_id });
    expect(outbox.ok && outbox.value.total).toBe(0);
  });
});

describe('app API: preview, print and run sheet', () => {
  it('previews without recording a print', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    const reply = await callApi(h, 'documents.render', { id: data.provider_order_id, document: 'label' });
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value).toMatchObject({ filename: `label-${data.provider_order_id}.png`, mime_type: 'image/png' });
    expect(readCode128(readPng(Buffer.from(reply.value.data_base64, 'base64')))).toBe(data.tracking_id);
    const zpl = await callApi(h, 'documents.render', { id: data.provider_order_id, document: 'label', format: 'zpl', dpi: 300 });
    expect(zpl.ok && Buffer.from(zpl.value.data_base64, 'base64').toString()).toMatch(/^\^XA/);
    expect(printEvents(h, data.provider_order_id)).toEqual([]);
  });

  it('refuses impossible requests with a clear error', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    const slipAsZpl = await callApi(h, 'documents.render', { id: data.provider_order_id, document: 'packing_slip', format: 'zpl' });
    expect(slipAsZpl).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/ZPL is available for the shipping label only/) } });
    const badDpi = await callApi(h, 'documents.render', { id: data.provider_order_id, document: 'label', dpi: 600 as 203 });
    expect(badDpi).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const missing = await callApi(h, 'documents.print', { id: 'RXR-NOPE', document: 'label' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const twice = await callApi(h, 'documents.runSheet', { order_ids: [data.provider_order_id, data.provider_order_id] });
    expect(twice).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/appears twice/) } });
  });

  it('without a printer of its own, hands the document to the renderer to print and records the print', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const data = await createOrder(h);
    expect(await callApi(h, 'printers.list', {})).toEqual({ ok: true, value: { printers: [], prints_directly: false } });
    const first = await callApi(h, 'documents.print', { id: data.provider_order_id, document: 'label' });
    expect(first).toMatchObject({ ok: true, value: { printed_by: 'renderer', printer: null, copy_number: 1, document: { mime_type: 'image/png' } } });
    const again = await callApi(h, 'documents.print', { id: data.provider_order_id, document: 'label', copies: 2 });
    expect(again).toMatchObject({ ok: true, value: { copy_number: 2 } });
    const third = await callApi(h, 'documents.print', { id: data.provider_order_id, document: 'label' });
    expect(third).toMatchObject({ ok: true, value: { copy_number: 4 } });
    expect(printEvents(h, data.provider_order_id).map((e) => [e.actor, e.notes])).toEqual([
      ['counter-1', 'Shipping label printed (copy 1).'],
      ['counter-1', 'Shipping label printed (copies 2–3, a re-print).'],
      ['counter-1', 'Shipping label printed (copy 4, a re-print).'],
    ]);
  });

  it('prints on the chosen printer at the document size, and records nothing when the printer refuses', async () => {
    const jobs: Array<{ job: PrintJob; printer?: string; copies: number }> = [];
    let refuse = false;
    const printer: DocumentPrinter = {
      list: async () => [{ name: 'zebra-zd421', display_name: 'Zebra ZD421', is_default: true }],
      print: async (job, options) => {
        if (refuse) throw new Error('The printer did not take the job: out of labels.');
        jobs.push({ job, ...options });
        return options.printer ?? 'the default printer';
      },
    };
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false }, printer });
    const data = await createOrder(h);
    expect(await callApi(h, 'printers.list', {})).toMatchObject({ ok: true, value: { prints_directly: true, printers: [{ name: 'zebra-zd421' }] } });
    const printed = await callApi(h, 'documents.print', { id: data.provider_order_id, document: 'label', printer: 'zebra-zd421' });
    expect(printed).toMatchObject({ ok: true, value: { printed_by: 'app', printer: 'zebra-zd421', copy_number: 1 } });
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ printer: 'zebra-zd421', copies: 1, job: { widthInches: 4, heightInches: 6, dpi: 203, mimeType: 'image/png' } });
    expect(readCode128(readPng(jobs[0]!.job.bytes))).toBe(data.tracking_id);

    refuse = true;
    const refused = await callApi(h, 'documents.print', { id: data.provider_order_id, document: 'packing_slip' });
    expect(refused.ok).toBe(false);
    expect(printEvents(h, data.provider_order_id).map((e) => e.notes)).toEqual(['Shipping label printed on zebra-zd421 (copy 1).']);
  });

  it('makes a run sheet PDF of the chosen orders, in the order given', async () => {
    h = await startHarness({ settings: { [SettingKeys.inlineLabelImages]: false } });
    const a = await createOrder(h);
    const b = await createOrder(h);
    const reply = await callApi(h, 
      'documents.runSheet',
      { order_ids: [b.provider_order_id, a.provider_order_id], name: 'Morning run', courier: 'Dana', date: '2026-11-21' },
    );
    if (!reply.ok) throw new Error(reply.error.message);
    expect(reply.value).toMatchObject({ filename: 'run-sheet-2026-11-21.pdf', mime_type: 'application/pdf' });
    const text = (await readPdf(Buffer.from(reply.value.data_base64, 'base64'))).flatMap((page) => page.lines).join('\n');
    expect(text).toContain('Morning run');
    expect(text).toContain('Dana');
    const [first, second] = [text.indexOf(b.provider_order_id), text.indexOf(a.provider_order_id)];
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    const missing = await callApi(h, 'documents.runSheet', { order_ids: [a.provider_order_id, 'RXR-NOPE'] });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});
