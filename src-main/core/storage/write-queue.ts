// Group commit. Every write to the database goes through this queue: writes that arrive while
// the event loop is busy (many BestRx requests landing at once) are applied together in one
// BEGIN IMMEDIATE … COMMIT. One commit then pays for the WAL append of the pages they share and
// for the fsync that synchronous=FULL demands, instead of every order paying for its own.
//
// Writes are not wrapped in savepoints: a savepoint makes SQLite copy every page a write touches
// into a sub-journal, which measured as much as the inserts themselves. Failures are rare (input
// is validated before it gets here), so a batch in which anything fails is rolled back whole and
// its writes are replayed one transaction each, in the same order, so the failure stays with its
// caller.
//
// What callers can rely on:
// - a write's promise settles only after the COMMIT that contains it is durable, so nothing is
//   acknowledged (to BestRx, to the renderer) that a crash could take back;
// - writes run in the order they were queued, each seeing the ones before it (two identical
//   CreateOrders in one batch: the second finds the first's idempotency key);
// - a write that throws is rolled back and rejected alone; if a COMMIT fails (disk full, I/O
//   error), the writes it held are rejected and none of them is applied;
// - a write can enlist a TransactionParticipant: something its transaction's writes share
//   (the audit chain's head), written once just before COMMIT and forgotten after a ROLLBACK.
import type { SqliteDatabase } from './database';

/** Something the writes of one transaction share, told how the transaction ends. */
export interface TransactionParticipant {
  /** Inside the transaction, just before COMMIT, once however many writes enlisted it. Throwing rolls the transaction back. */
  beforeCommit(): void;
  /** After a ROLLBACK: whatever the transaction's writes left in memory is no longer true. */
  afterRollback(): void;
}

interface QueuedWrite {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Enough to amortise a commit; small enough that one batch never stalls the event loop for long. */
const DEFAULT_MAX_BATCH = 256;

export class WriteQueue {
  private queue: QueuedWrite[] = [];
  private scheduled = false;
  private inTransaction = false;
  private readonly participants = new Set<TransactionParticipant>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
  ) {}

  /** Runs `work` inside the next batch's transaction; resolves with its result once committed. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Inside a write: `participant` is told how this write's transaction ends (once, however often it enlists). */
  enlist(participant: TransactionParticipant): void {
    if (!this.inTransaction) throw new Error('enlist() is for a write running in this queue, inside its transaction');
    this.participants.add(participant);
  }

  /** How many writes are waiting for the next commit (for diagnostics). */
  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the current poll phase: every request whose body was read in this
    // turn of the event loop has queued its write by then and joins the same batch.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0) this.schedule();
    if (batch.length === 0) return;

    let results: unknown[];
    try {
      results = this.transact(() => batch.map((write) => write.work()));
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else this.replayOneByOne(batch);
      return;
    }
    batch.forEach((write, index) => write.resolve(results[index]));
  }

  /** One BEGIN IMMEDIATE … COMMIT around `work`, with the participants its writes enlisted. */
  private transact<T>(work: () => T): T {
    this.inTransaction = true;
    try {
      return this.db
        .transaction(() => {
          const result = work();
          for (const participant of this.participants) participant.beforeCommit();
          return result;
        })
        .immediate();
    } catch (error) {
      for (const participant of this.participants) participant.afterRollback();
      throw error;
    } finally {
      this.participants.clear();
      this.inTransaction = false;
    }
  }

  /** After a failed batch (nothing of it applied): each write in its own transaction. */
  private replayOneByOne(batch: readonly QueuedWrite[]): void {
    for (const write of batch) {
      let result: unknown;
      try {
        result = this.transact(write.work);
      } catch (error) {
        write.reject(error);
        continue;
      }
      write.resolve(result);
    }
  }
}
