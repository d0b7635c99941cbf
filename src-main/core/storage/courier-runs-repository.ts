// Every SQL statement about courier runs and their stops.
import { prepared, type SqliteDatabase } from './database';

export interface CourierRunRow {
  id: string;
  name: string;
  courier: string;
  run_date: string;
  created_at: string;
  created_by: string;
}

export function insertCourierRun(db: SqliteDatabase, run: CourierRunRow, orderIds: readonly string[]): void {
  prepared(db, `INSERT INTO courier_runs (id, name, courier, run_date, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`).run(
    run.id,
    run.name,
    run.courier,
    run.run_date,
    run.created_at,
    run.created_by,
  );
  const stop = prepared(db, `INSERT INTO courier_run_stops (run_id, position, order_id) VALUES (?, ?, ?)`);
  orderIds.forEach((orderId, index) => stop.run(run.id, index + 1, orderId));
}

export function getCourierRun(db: SqliteDatabase, id: string): CourierRunRow | undefined {
  return prepared(db, `SELECT * FROM courier_runs WHERE id = ?`).get(id) as CourierRunRow | undefined;
}

/** Newest first. */
export function listCourierRuns(db: SqliteDatabase, limit: number): CourierRunRow[] {
  return prepared(db, `SELECT * FROM courier_runs ORDER BY created_at DESC, id DESC LIMIT ?`).all(limit) as CourierRunRow[];
}

export function listRunOrderIds(db: SqliteDatabase, runId: string): string[] {
  return prepared(db, `SELECT order_id FROM courier_run_stops WHERE run_id = ? ORDER BY position`)
    .pluck()
    .all(runId) as string[];
}

/** The run an order is on, if any. */
export function findRunOfOrder(db: SqliteDatabase, orderId: string): CourierRunRow | undefined {
  return prepared(db, `SELECT r.* FROM courier_run_stops s JOIN courier_runs r ON r.id = s.run_id WHERE s.order_id = ?`).get(orderId) as
    | CourierRunRow
    | undefined;
}
