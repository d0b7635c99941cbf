// "Export diagnostics": the bundle support gets. It is seeded with PHI every way it could get in
// (BestRx's CreateOrder, a delivery with signature and ID number, careless log lines, a raw line
// that bypassed the logger) and must contain none of it, nor any secret; and it must still say
// what support needs (versions, configuration, schema, row counts, outbox, partners, the log).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppApiReply, RenderedDocument } from '../../src-shared/app-api-contract';
import { LOG_DIR_NAME, openDataDirLog } from '../../src-main/core/log-file';
import { createJsonLogger } from '../../src-main/core/logger';
import { configForDiagnostics } from '../../src-main/core/diagnostics';
import { loadConfig } from '../../src-main/core/config/config';
import { createOrderBody, seedExample } from '../helpers/fixtures';
import { startHarness, TEST_CREDENTIALS, type Harness } from '../helpers/rxrelay-harness';

/** A signature as the pad makes it: a real PNG of a few KB (base64 far past 100 characters). */
function signaturePng(): string {
  const png = new PNG({ width: 160, height: 60 });
  for (let i = 0; i < png.data.length; i += 4) {
    const ink = Math.sin(i / 97) > 0.6 ? 0 : 255;
    png.data[i] = ink;
    png.data[i + 1] = ink;
    png.data[i + 2] = ink;
    png.data[i + 3] = 255;
  }
  return PNG.sync.write(png).toString('base64');
}

const SIGNATURE = signaturePng();
const ID_NUMBER = 'D200-3333-4444';
const SIGNER = { first_name: 'Marguerite', last_name: 'Okonkwo-Lindqvist' };

/** Every patient detail the seed's CreateOrder carries, and what was captured at the door. */
function phiStrings(): string[] {
  const order = seedExample('create-order.request');
  const r = order.recipient;
  const c = order.customers[0];
  return [
    r.first_name, r.last_name, r.middle_name, r.entity_name,
    r.address.address_line_1, r.address.address_line_2, r.address.city,
    r.home_phone, r.work_phone, r.mobile_phone, r.fax, r.email,
    c.address.address_line_1, c.address.city,
    String(order.prescriptions[0].rx_number),
    order.otc_items[0].upc, order.otc_items[0].item_description,
    order.delivery_notes,
    'Jane Doe',
    ID_NUMBER, SIGNER.first_name, SIGNER.last_name,
    SIGNATURE.slice(0, 40), SIGNATURE.slice(-60, -20),
  ];
}

let h: Harness;
let bundleText: string;
let bundle: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the bundle is read as JSON
let document: RenderedDocument;

beforeAll(async () => {
  h = await startHarness();
  // The log file as the composition roots write it, with the lines a careless caller might write.
  const logFile = openDataDirLog(h.dataDir);
  const logger = createJsonLogger(logFile.write);
  const created = await h.post('/Order/CreateOrder', createOrderBody({ signature_required: 'true', photo_id_required: 'true' }));
  expect(created.status).toBe(200);
  const id = created.json.data.provider_order_id as string;
  logger.info('bestrx.create_order', { outcome: 'created', order_id: id });
  for (const to of ['acknowledged', 'picked_up', 'out_for_delivery'] as const) await h.core.orders.transition({ id, to }, 'courier');
  const delivered = await h.core.appApi.call(
    'orders.transition',
    {
      id,
      to: 'delivered',
      proof: {
        signature_png_base64: SIGNATURE,
        signer: { relation: 'spouse', ...SIGNER, jurisdiction: 'IL', id_type: 6, id_no: ID_NUMBER },
        consents: [{ consent_type: '0', response: 'no' }],
        collected: { amount: 97.83, method: 'check' },
      },
    },
    { actor: 'courier' },
  );
  expect(delivered).toMatchObject({ ok: true });
  await h.settle();
  logger.warn('careless.caller', {
    order_id: id,
    recipient_name: 'Jane Doe',
    error: 'United refused: jane.doe@doeind.com 6305551111 Rx 610011 ' + SIGNATURE,
    id_no: ID_NUMBER,
  });
  logFile.close();
  // A line that reached the file without the logger (another tool, an old build): cleaned on export.
  mkdirSync(join(h.dataDir, LOG_DIR_NAME), { recursive: true });
  appendFileSync(
    join(h.dataDir, LOG_DIR_NAME, 'rxrelay.log'),
    JSON.stringify({ time: '2026-11-21T09:00:00.000Z', level: 'info', event: 'raw', first_name: 'Jane', last_name: 'Doe', address: '500 Second Ave', signature: SIGNATURE, note: `signed by ${SIGNER.last_name}` }) +
      '\nplain text: call Jane at 630-555-1111 or jane.doe@doeind.com, ID ' + ID_NUMBER + '\n',
  );
  await h.core.appApi.call('backups.run', {}, { actor: 'admin' });

  const reply = (await h.core.appApi.call('diagnostics.export', {}, { actor: 'admin' })) as AppApiReply<RenderedDocument>;
  if (!reply.ok) throw new Error(reply.error.message);
  document = reply.value;
  bundleText = Buffer.from(document.data_base64, 'base64').toString('utf8');
  bundle = JSON.parse(bundleText);
});
afterAll(() => h.stop());

describe('diagnostics.export', () => {
  it('is one JSON document, named for when it was made', () => {
    expect(document).toMatchObject({ filename: 'rxrelay-diagnostics-20261121T090000Z.json', mime_type: 'application/json' });
    expect(bundle.format).toBe('rxrelay-diagnostics/1');
  });

  it('contains no patient data anywhere', () => {
    for (const phi of phiStrings()) expect(bundleText, `the bundle holds "${phi}"`).not.toContain(phi);
    // Nor the signer's surname when the words are split differently.
    expect(bundleText).not.toMatch(/Okonkwo|Lindqvist|Marguerite|Bloomingdale|Joplin/);
  });

  it('contains no secret', async () => {
    expect(bundleText).not.toContain(TEST_CREDENTIALS.password);
    expect(bundleText).not.toContain(TEST_CREDENTIALS.username);
    expect(bundleText).not.toContain(h.dbKey.toString('hex'));
    const partners = await h.core.appApi.call('partners.status', {}, { actor: 'admin' });
    if (!partners.ok) throw new Error(partners.error.message);
    for (const partner of (partners.value as { partners: Array<{ webhook_url: string | null }> }).partners) {
      if (partner.webhook_url) expect(bundleText).not.toContain(partner.webhook_url);
    }
  });

  it('says what support needs: versions, configuration, schema, row counts, outbox, partners, backups, the log', () => {
    expect(bundle.app).toMatchObject({ version: 'test', mode: 'headless', sandbox: true, device_id: expect.any(String) });
    expect(bundle.system).toMatchObject({ platform: process.platform, node: process.versions.node, sqlite: expect.stringMatching(/^3\./) });
    expect(bundle.config).toMatchObject({ bestrxPort: 0, sandbox: true, backupIntervalHours: 6, backupKeep: 14, bestrxCredentials: 'set', statusCredentials: 'not set' });
    expect(bundle.database.schema_version).toBe(bundle.database.schema_version_supported);
    expect(bundle.database.row_counts).toMatchObject({ orders: 1, order_events: 5, order_recipients: 1 });
    expect(bundle.outbox).toEqual({ pending: 0, delivered: 4, dead: 0, skipped: 0 });
    expect(bundle.partners.map((p: { partner: string }) => p.partner).sort()).toEqual(['caryrx', 'honeybee', 'united']);
    for (const partner of bundle.partners) expect(partner).not.toHaveProperty('webhook_url');
    expect(bundle.backups.files).toHaveLength(1);
    expect(bundle.logs.entries.length).toBeGreaterThanOrEqual(4);
    expect(bundle.logs.entries.join('\n')).toContain('bestrx.create_order');
    // The order id survives redaction: support can find the order.
    expect(bundle.logs.entries[0]).toMatch(/"order_id":"RXR-[0-9A-Z]{13}"/);
  });
});

describe('the configuration in the bundle', () => {
  it('keeps flags and numbers, reduces every credential to set / not set, and cleans URLs', () => {
    const { config } = loadConfig([], {
      RXRELAY_BESTRX_USER: 'bestrx',
      RXRELAY_BESTRX_PASSWORD: 'pw-secret-1',
      RXRELAY_STATUS_URL: 'https://dispensing.example.com/Order/UpdateOrderStatus?token=abc123',
      RXRELAY_STATUS_USER: 'provider',
      RXRELAY_STATUS_PASSWORD: 'pw-secret-2',
      RXRELAY_API_TOKEN: 'api-token-secret-123456',
      RXRELAY_DB_KEY: 'ab'.repeat(32),
    }, { strict: true, defaultDataDir: '/data' });
    const shown = configForDiagnostics(config);
    const text = JSON.stringify(shown);
    for (const secret of ['pw-secret-1', 'pw-secret-2', 'api-token-secret-123456', 'ab'.repeat(32), 'abc123', 'provider']) expect(text).not.toContain(secret);
    expect(shown).toMatchObject({
      statusUrl: 'https://dispensing.example.com/Order/UpdateOrderStatus',
      bestrxCredentials: 'set',
      statusCredentials: 'set',
      apiToken: 'set',
      databaseKey: 'set',
      newDatabaseKey: 'not set',
      sandbox: false,
      dataDir: '/data',
    });
  });
});
