// Messages between the main thread and BestRx's listener thread go in batches, one per turn of
// the sender's event loop, in the order they were made.
import { expect, it } from 'vitest';
import { parseCreateOrder } from '../../../src-main/core/bestrx/bestrx-requests';
import { requestFingerprint } from '../../../src-main/core/domain/order-content';
import { batchedSender, decodeCallArguments, deserializeError, encodeCallArguments, serializeError } from '../../../src-main/core/bestrx/threaded-provider-server';
import { seedExample, seedExampleText } from '../../helpers/fixtures';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

it('sends the messages made in one turn of the event loop as one batch, in order', async () => {
  const sent: number[][] = [];
  const post = batchedSender<number>((messages) => sent.push(messages));
  post(1);
  post(2);
  await Promise.resolve();
  post(3);
  expect(sent).toEqual([]);
  await nextTurn();
  expect(sent).toEqual([[1, 2, 3]]);
  post(4);
  await nextTurn();
  expect(sent).toEqual([[1, 2, 3], [4]]);
  await nextTurn();
  expect(sent).toHaveLength(2);
});

it('carries an error across with its name, message and code', () => {
  const error = Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' });
  const copy = deserializeError(structuredClone(serializeError(error)));
  expect(copy).toBeInstanceOf(Error);
  expect({ name: copy.name, message: copy.message, code: (copy as { code?: string }).code }).toEqual({ name: 'SqliteError', message: 'database is locked', code: 'SQLITE_BUSY' });
});

it("carries an order's content across as JSON text, and it arrives as it left", () => {
  const parsed = parseCreateOrder(seedExample('create-order.request'));
  if (!parsed.ok) throw new Error('the seed example must parse');
  const rawBody = seedExampleText('create-order.request');
  const posted = encodeCallArguments('receiveCreateOrder', [parsed.value.content, rawBody, requestFingerprint(rawBody)]);
  expect(typeof posted[0]).toBe('string');
  const received = decodeCallArguments('receiveCreateOrder', structuredClone(posted));
  expect(received).toStrictEqual([parsed.value.content, rawBody, requestFingerprint(rawBody)]);
});

it('carries the arguments of other calls as they are', () => {
  const args = ['RXR-0RCXK4M7QW2ZD9', [{ document: 'label', format: 'png', dpi: 203 }], undefined];
  expect(encodeCallArguments('renderDocuments', args)).toBe(args);
  expect(decodeCallArguments('renderDocuments', args)).toBe(args);
});
