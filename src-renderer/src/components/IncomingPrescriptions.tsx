// Incoming prescriptions (Honeybee Health's "Partner Requested Fills"): e-prescriptions Honeybee
// took in and fills nothing of until the pharmacy asks. Staff match each to the order BestRx sent
// for its patient — one click on a suggested order, best first, each saying why it is suggested —
// then send that order to Honeybee from the order's detail panel; or set it aside when it is not
// the pharmacy's to fill. BestRx sends no date of birth: the one Honeybee has is shown, to compare
// with the patient before matching.
import { useEffect, useId, useRef, useState, type JSX } from 'react';
import { PARTNER_DISPLAY_NAMES, type AppApiError, type AppApiReply, type IncomingPrescriptionView } from '../../../src-shared/app-api-contract';
import { clock, dobWords, fillsLeft, prescriptionPatientName, prescriptionStateWords, suggestionLabel } from '../partner-words';
import { INCOMING_PARTNER, type AppStore } from '../store/app-store';

const PARTNER_NAME = PARTNER_DISPLAY_NAMES[INCOMING_PARTNER];

const STATE_BADGES: Record<IncomingPrescriptionView['state'], string> = {
  waiting: 'Waiting',
  matched: 'Matched',
  filled: 'Fill requested',
  dismissed: 'Set aside',
};

/** What the last action did (or why it did not), said once and focused so keyboard users hear it. */
interface Outcome {
  text: string;
  problem: AppApiError | undefined;
}

export function IncomingPrescriptions({ store }: { store: AppStore }): JSX.Element {
  const { list, includeDone, error } = store((s) => s.incoming);
  const connection = store((s) => s.partners.list?.find((p) => p.partner === INCOMING_PARTNER));
  const headingId = useId();
  const [working, setWorking] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const outcomeRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void store.getState().loadIncoming();
    if (!store.getState().partners.list) void store.getState().loadPartners();
  }, [store]);
  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

  const act = async (p: IncomingPrescriptionView, run: () => Promise<AppApiReply<IncomingPrescriptionView>>, said: (after: IncomingPrescriptionView) => string) => {
    setWorking(p.prescription_id);
    const reply = await run();
    setWorking(undefined);
    setOutcome(reply.ok ? { text: said(reply.value), problem: undefined } : { text: `Nothing changed for ${p.drug_name}: ${reply.error.message}`, problem: reply.error });
  };
  const who = (p: IncomingPrescriptionView) => prescriptionPatientName(p) ?? 'the patient';

  const actions: CardActions = {
    match: (p, suggestion) =>
      act(
        p,
        () => store.getState().matchPrescription(p.prescription_id, suggestion.order_id),
        () => `Matched: ${p.drug_name} is for ${suggestion.recipient_name}, order ${suggestion.order_id}. Open the order to send it to ${PARTNER_NAME}.`,
      ),
    unmatch: (p) => act(p, () => store.getState().matchPrescription(p.prescription_id, null), () => `${p.drug_name} for ${who(p)} is waiting for a match again.`),
    dismiss: (p) =>
      act(
        p,
        () => store.getState().dismissPrescription(p.prescription_id),
        () => `Set aside: ${p.drug_name} for ${who(p)}.${includeDone ? '' : ' To see it again, tick “Show filled and set aside”.'}`,
      ),
    restore: (p) => act(p, () => store.getState().matchPrescription(p.prescription_id, null), () => `${p.drug_name} for ${who(p)} is back, waiting for a match.`),
    open: (orderId) => void store.getState().openOrder(orderId),
  };

  const waiting = list?.filter((p) => p.state === 'waiting').length ?? 0;
  const matched = list?.filter((p) => p.state === 'matched').length ?? 0;
  return (
    <section className="incoming" aria-labelledby={headingId}>
      <h2 id={headingId}>Incoming prescriptions</h2>
      <p className="hint">
        E-prescriptions {PARTNER_NAME} received for your patients. {PARTNER_NAME} fills nothing until you ask: match each prescription to the patient’s
        order, then open the order and send it to {PARTNER_NAME}. BestRx sends no date of birth — compare the one shown with the patient.
      </p>
      {connection && !connection.connected && connection.last_error && (
        <p className="notice">
          {PARTNER_NAME} is not reachable right now ({connection.last_error}): new prescriptions arrive once it is.
        </p>
      )}
      <div className="incoming-tools">
        <p className="list-count" aria-live="polite">
          {list ? `${waiting} waiting for a match${matched > 0 ? `, ${matched} matched but not sent yet` : ''}` : ''}
        </p>
        <label className="choice">
          <input type="checkbox" checked={includeDone} onChange={(e) => store.getState().setIncludeDone(e.target.checked)} />
          Show filled and set aside
        </label>
      </div>
      {outcome && (
        <div className={outcome.problem ? 'error' : 'outcome'} role={outcome.problem ? 'alert' : 'status'} tabIndex={-1} ref={outcomeRef}>
          <p>{outcome.text}</p>
          {outcome.problem?.details && outcome.problem.details.length > 0 && (
            <ul>
              {outcome.problem.details.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error && !list && <p role="alert">Incoming prescriptions could not be loaded: {error.message}</p>}
      {error && list && <p className="notice">Could not refresh: {error.message}. This list may be out of date.</p>}
      {!list && !error && <p aria-busy="true">Loading…</p>}
      {list && list.length === 0 && (
        <p className="empty">
          {includeDone ? `No prescriptions from ${PARTNER_NAME} yet.` : `Nothing is waiting. New e-prescriptions from ${PARTNER_NAME} appear here as they arrive.`}
        </p>
      )}
      {list && list.length > 0 && (
        <ul className="incoming-list">
          {list.map((p) => (
            <li key={p.prescription_id}>
              <PrescriptionCard prescription={p} busy={working === p.prescription_id} actions={actions} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface CardActions {
  match(p: IncomingPrescriptionView, suggestion: IncomingPrescriptionView['suggestions'][number]): Promise<void>;
  unmatch(p: IncomingPrescriptionView): Promise<void>;
  dismiss(p: IncomingPrescriptionView): Promise<void>;
  restore(p: IncomingPrescriptionView): Promise<void>;
  open(orderId: string): void;
}

function PrescriptionCard({ prescription: p, busy, actions }: { prescription: IncomingPrescriptionView; busy: boolean; actions: CardActions }): JSX.Element {
  const ids = useId();
  const patient = prescriptionPatientName(p);
  const left = fillsLeft(p);
  // A filled prescription with a refill left can be matched to the patient's next order.
  const matchable = p.state === 'waiting' || (p.state === 'filled' && left > 0);
  const matchedTo = p.matched_order_id ? p.suggestions.find((s) => s.order_id === p.matched_order_id) : undefined;
  const byNameOnly = p.suggestions.some((s) => s.reason === 'name');
  return (
    <article className={`incoming-rx state-${p.state}`} aria-labelledby={`${ids}-title`} aria-describedby={`${ids}-state`} aria-busy={busy}>
      <header>
        <h3 id={`${ids}-title`}>
          {p.drug_name}
          <span className="visually-hidden"> for {patient ?? 'a patient not known yet'}</span>
        </h3>
        <span className={`badge rx-${p.state}`}>{STATE_BADGES[p.state]}</span>
      </header>
      <p className="rx-state" id={`${ids}-state`}>
        {prescriptionStateWords(p)}
      </p>
      {p.controlled && (
        <p className="notice controlled">
          <strong>Controlled — needs the patient’s ID.</strong> {PARTNER_NAME} fills a controlled substance only with a copy of the patient’s photo ID.
        </p>
      )}
      <div className="incoming-body">
        <dl className="facts">
          <dt>Patient</dt>
          <dd>{patient ? <strong>{patient}</strong> : `Not known yet: ${PARTNER_NAME}’s patient record has not been fetched`}</dd>
          <dt>Date of birth</dt>
          <dd>{p.patient?.dob ? dobWords(p.patient.dob) : '—'}</dd>
          <dt>Email</dt>
          <dd>{p.patient?.email ?? '—'}</dd>
          <dt>Quantity</dt>
          <dd>{p.written_qty ?? '—'}</dd>
          <dt>Refills</dt>
          <dd>
            {p.refills_left === null ? '—' : `${p.refills_left} left`}
            {p.fills_requested > 0 ? ` · ${left === 0 ? 'no fill left' : `${left} more fill${left === 1 ? '' : 's'} possible`}` : ''}
          </dd>
          {p.sig_text && (
            <>
              <dt>Directions</dt>
              <dd>{p.sig_text}</dd>
            </>
          )}
          <dt>Prescriber</dt>
          <dd>{p.prescriber_name ?? '—'}</dd>
          <dt>NDC</dt>
          <dd>
            <code>{p.ndc}</code>
          </dd>
          <dt>Received</dt>
          <dd>
            {clock(p.received_at)} · {PARTNER_NAME} prescription <code>{p.prescription_id}</code>
            {p.expire_date ? ` · expires ${p.expire_date.slice(0, 10)}` : ''}
          </dd>
        </dl>
        <div className="incoming-actions" role="group" aria-label={`What to do with ${p.drug_name}`}>
          {matchable && p.suggestions.length > 0 && (
            <>
              <p>{p.state === 'filled' ? 'For a refill, which order is it for?' : 'Which order is it for?'}</p>
              {p.suggestions.map((s) => (
                <button key={s.order_id} type="button" className="match" disabled={busy} onClick={() => void actions.match(p, s)}>
                  {suggestionLabel(s)}
                </button>
              ))}
              {byNameOnly && <p className="hint">Matched by name only: check the date of birth with the patient before you match.</p>}
            </>
          )}
          {p.state === 'waiting' && p.suggestions.length === 0 && (
            <p className="hint">No order on the board matches {patient ?? 'this patient'} yet. It waits here until BestRx sends the patient’s order.</p>
          )}
          {(p.state === 'matched' || p.state === 'filled') && p.matched_order_id && (
            <>
              {p.state === 'matched' && (
                <p>
                  {matchedTo ? `For ${matchedTo.recipient_name}. ` : ''}Next: open the order and send it to {PARTNER_NAME}.
                </p>
              )}
              <button type="button" className="primary" onClick={() => actions.open(p.matched_order_id as string)}>
                Open order {p.matched_order_id}
              </button>
            </>
          )}
          {p.state === 'matched' && (
            <button type="button" disabled={busy} onClick={() => void actions.unmatch(p)}>
              Undo match
            </button>
          )}
          {(p.state === 'waiting' || p.state === 'matched') && (
            <button type="button" disabled={busy} onClick={() => void actions.dismiss(p)}>
              Set aside
            </button>
          )}
          {p.state === 'dismissed' && (
            <button type="button" disabled={busy} onClick={() => void actions.restore(p)}>
              Put back
            </button>
          )}
        </div>
      </div>
    </article>
  );
}
