import { AppEventBus } from '../../src-main/core/app-events';
import { buildCodeTables } from '../../src-main/core/domain/code-tables';
import { createOrderIdGenerator, type OrderIdGenerator } from '../../src-main/core/domain/order-ids';
import { OrderService } from '../../src-main/core/orders/order-service';
import { openDatabase, type SqliteDatabase } from '../../src-main/core/storage/database';
import { WriteQueue } from '../../src-main/core/storage/write-queue';
import { FakeClock } from './rxrelay-harness';
import { StatusPushOutbox } from '../../src-main/core/outbox/status-push-outbox';

/** An OrderService over an in-memory database, for tests that need no listener. */
export function createTestOrderService(options: { ids?: OrderIdGenerator; db?: SqliteDatabase } = {}) {
  const db = options.db ?? openDatabase({ file: ':memory:' });
  const clock = new FakeClock();
  const events = new AppEventBus();
  const published: unknown[] = [];
  events.subscribe((e) => published.push(e));
  const writes = new WriteQueue(db);
  const outbox = new StatusPushOutbox({
    db,
    writes,
    clock,
    codeTables: () => buildCodeTables(),
    signatureUrl: (eventId) => `http://127.0.0.1:8410/signatures/${eventId}.png?sig=test`,
    events,
    onWork: () => undefined,
    targetUrl: () => undefined,
  });
  const orders = new OrderService({
    db,
    writes,
    outbox,
    clock,
    ids: options.ids ?? createOrderIdGenerator(undefined, () => clock.now().getTime()),
    codeTables: () => buildCodeTables(),
    deviceId: 'device-test',
    events,
  });
  return { db, clock, events, published, orders, outbox, writes };
}
