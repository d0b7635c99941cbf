// Courier runs: pick the orders still at the pharmacy, hand them to a courier in driving order,
// print the run sheet, and mark the whole run picked up and then out for delivery.
import { useEffect, useState, type JSX } from 'react';
import type { AppApiError, CourierRunView, OrderSummary } from '../../../src-shared/app-api-contract';
import type { AppApiClient } from '../api/app-api-client';
import { saveDocument } from '../save-document';
import { StatusBadge } from './StatusBadge';

interface RunsState {
  ready: OrderSummary[];
  runs: CourierRunView[];
}

export function CourierRuns({ api }: { api: AppApiClient }): JSX.Element {
  const [data, setData] = useState<RunsState | undefined>();
  const [version, setVersion] = useState(0);
  const [chosen, setChosen] = useState<string[]>([]);
  const [courier, setCourier] = useState('');
  const [name, setName] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const [problem, setProblem] = useState<AppApiError | undefined>();

  useEffect(() => {
    let current = true;
    void Promise.all([api.call('orders.list', { filters: ['ready_for_run'], limit: 500 }), api.call('runs.list', {})]).then(([ready, runs]) => {
      if (!current) return;
      if (ready.ok && runs.ok) setData({ ready: ready.value.orders, runs: runs.value.runs });
      else setProblem(ready.ok ? (runs.ok ? undefined : runs.error) : ready.error);
    });
    return () => {
      current = false;
    };
  }, [api, version]);
  useEffect(() => api.subscribe((event) => event.type.startsWith('order.') && setVersion((v) => v + 1)), [api]);

  const create = async () => {
    const reply = await api.call('runs.create', { courier: courier.trim(), ...(name.trim() ? { name: name.trim() } : {}), order_ids: chosen });
    if (!reply.ok) return setProblem(reply.error);
    setProblem(undefined);
    setMessage(`Run "${reply.value.name}" created with ${reply.value.stops.length} stop${reply.value.stops.length === 1 ? '' : 's'}.`);
    setChosen([]);
    setName('');
    setVersion((v) => v + 1);
  };

  const advance = async (run: CourierRunView, to: 'picked_up' | 'out_for_delivery') => {
    const reply = await api.call('runs.advance', { id: run.id, to });
    if (!reply.ok) return setProblem(reply.error);
    const { moved, refused } = reply.value;
    setProblem(undefined);
    setMessage(
      `${run.name}: ${moved.length} order${moved.length === 1 ? '' : 's'} marked ${to === 'picked_up' ? 'picked up' : 'out for delivery'}` +
        (refused.length > 0 ? `; not moved: ${refused.map((r) => `${r.id} (${r.reasons.join(' ')})`).join('; ')}` : '') +
        '.',
    );
    setVersion((v) => v + 1);
  };

  const runSheet = async (run: CourierRunView) => {
    const reply = await api.call('documents.runSheet', { order_ids: run.stops.map((s) => s.id), name: run.name, courier: run.courier, date: run.run_date });
    if (!reply.ok) return setProblem(reply.error);
    saveDocument(reply.value);
  };

  const toggle = (id: string) => setChosen((current) => (current.includes(id) ? current.filter((c) => c !== id) : [...current, id]));

  return (
    <section className="courier-runs" aria-label="Courier runs">
      <h2>Courier runs</h2>
      {message && <p role="status">{message}</p>}
      {problem && (
        <div role="alert" className="error">
          <p>{problem.message}</p>
          {problem.details && problem.details.length > 1 && (
            <ul>
              {problem.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="runs-layout">
        <form
          className="new-run"
          aria-label="New run"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <h3>Ready to go out</h3>
          {!data && <p aria-busy="true">Loading…</p>}
          {data && data.ready.length === 0 && <p className="empty">Every order at the pharmacy is on a run.</p>}
          <ol className="ready-orders">
            {data?.ready.map((order) => (
              <li key={order.id}>
                <label>
                  <input type="checkbox" checked={chosen.includes(order.id)} onChange={() => toggle(order.id)} />
                  <span>
                    {chosen.includes(order.id) && <strong className="stop-number">{chosen.indexOf(order.id) + 1}. </strong>}
                    {order.recipient_name}, {order.address.address_line_1}, {order.address.city} <code>{order.id}</code>
                  </span>
                </label>
              </li>
            ))}
          </ol>
          <p className="hint">Stops go on the run sheet in the order you tick them.</p>
          <label>
            Courier
            <input value={courier} onChange={(e) => setCourier(e.target.value)} maxLength={100} required />
          </label>
          <label>
            Run name (optional)
            <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
          </label>
          <button type="submit" disabled={chosen.length === 0 || !courier.trim()}>
            Create run with {chosen.length} stop{chosen.length === 1 ? '' : 's'}
          </button>
        </form>
        <div className="runs">
          <h3>Runs</h3>
          {data && data.runs.length === 0 && <p className="empty">No runs yet.</p>}
          {data?.runs.map((run) => (
            <article key={run.id} className="run" aria-label={`Run ${run.name}`}>
              <header>
                <strong>{run.name}</strong> — {run.courier}, {run.run_date}
              </header>
              <ol>
                {run.stops.map((stop) => (
                  <li key={stop.id}>
                    {stop.recipient_name}, {stop.address.address_line_1}, {stop.address.city} <StatusBadge status={stop.status} />
                  </li>
                ))}
              </ol>
              <div className="row-actions">
                <button type="button" onClick={() => void runSheet(run)}>
                  Download run sheet (PDF)
                </button>
                <button type="button" onClick={() => void advance(run, 'picked_up')}>
                  Picked up
                </button>
                <button type="button" onClick={() => void advance(run, 'out_for_delivery')}>
                  Out for delivery
                </button>
              </div>
            </article>
          ))}
        </div>
      </div>
    </section>
  );
}
