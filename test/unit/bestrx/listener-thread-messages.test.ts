// Messages between the main thread and BestRx's listener thread go in batches, one per turn of
// the sender's event loop, in the order they were made.
import { expect, it } from 'vitest';
import { batchedSender, deserializeError, serializeError } from '../../../src-main/core/bestrx/threaded-provider-server';

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
