// Handing an order not yet picked up to a fulfilment partner instead of the in-house courier:
// the partner, the partner's pharmacy, a medication from that pharmacy's catalog (browsed a page
// at a time, with the partner's live prices) and what the partner needs about the patient that
// BestRx did not send. The core checks everything and names each missing or invalid field; what
// was typed stays until the order is sent.
import { useEffect, useId, useRef, useState, type JSX } from 'react';
import type { AppApiError, AppApiInput, AppApiOutput, AppApiReply, OrderDetail, PartnerName } from '../../../src-shared/app-api-contract';
import { PRE_PICKUP_STATUSES } from '../../../src-shared/order-status';
import { clock, fieldProblem } from '../partner-words';
import type { AppStore } from '../store/app-store';

type DispatchDetails = NonNullable<AppApiInput<'orders.dispatch'>['details']>;
type Medication = AppApiOutput<'partners.medications'>['medications'][number];

/** The form's fields by the names the core uses in its messages ("patient_dob is required"). */
const FIELD_LABELS = {
  partner: 'Partner',
  pharmacy_id: 'Pharmacy',
  medication_id: 'Medication',
  patient_dob: 'Date of birth',
  patient_email: 'Email',
  patient_gender: 'Gender',
  dispense_quantity: 'Dispense quantity',
  days_supply: 'Days supply',
  clinical_notes: 'Clinical notes',
  prescription_ids: 'Prescriptions',
  shipping_method: 'Shipping method',
} as const;
type Field = keyof typeof FIELD_LABELS;

/** A problem line from the core, with field names said as the form labels them. */
export const describeProblem = (line: string) => fieldProblem<Field>(line, FIELD_LABELS);

const price = (value: string) => (/^\d+(\.\d+)?$/.test(value) ? `$${Number(value).toFixed(2)}` : value);
const medicationName = (m: Pick<Medication, 'name' | 'strength'>) => [m.name, m.strength].filter(Boolean).join(' ');

/** Whether the order may go to a partner now: not picked up, and no hand-over under way. */
export function canDispatch(detail: OrderDetail): boolean {
  return PRE_PICKUP_STATUSES.includes(detail.status) && (detail.partner === null || detail.partner.state === 'failed');
}

/** The "Send to partner…" action and, once chosen, its form. */
export function PartnerDispatch({ detail, store }: { detail: OrderDetail; store: AppStore }): JSX.Element | null {
  const [open, setOpen] = useState(false);
  const [returnFocus, setReturnFocus] = useState(false);
  if (!canDispatch(detail)) return null;
  if (open) {
    return (
      <DispatchForm
        detail={detail}
        store={store}
        onClose={() => {
          setOpen(false);
          setReturnFocus(true);
        }}
      />
    );
  }
  return (
    <div className="actions" role="group" aria-label="Fulfilment partner">
      <button type="button" className="secondary" autoFocus={returnFocus} onClick={() => setOpen(true)}>
        {detail.partner?.state === 'failed' ? 'Send to a partner again…' : 'Send to partner…'}
      </button>
    </div>
  );
}

interface Loaded<T> {
  key: string;
  reply: AppApiReply<T>;
}

function DispatchForm({ detail, store, onClose }: { detail: OrderDetail; store: AppStore; onClose: () => void }): JSX.Element {
  const ids = useId();
  const partners = store((s) => s.partners);
  const [partnerChoice, setPartnerChoice] = useState<PartnerName | ''>(detail.partner?.partner ?? '');
  const [pharmacyChoice, setPharmacyChoice] = useState('');
  const [medication, setMedication] = useState<Medication | undefined>();
  const [dob, setDob] = useState('');
  const [email, setEmail] = useState(detail.recipient.email ?? '');
  const [gender, setGender] = useState<'' | 'M' | 'F' | 'U'>('');
  const [quantity, setQuantity] = useState('');
  const [daysSupply, setDaysSupply] = useState('');
  const [notes, setNotes] = useState('');
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<AppApiError | undefined>();
  const [pharmacies, setPharmacies] = useState<Loaded<AppApiOutput<'partners.pharmacies'>> | undefined>();
  const [pharmacyTry, setPharmacyTry] = useState(0);
  const problemRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!store.getState().partners.list) void store.getState().loadPartners();
  }, [store]);

  // With a single partner there is nothing to choose.
  const list = partners.list;
  const partner: PartnerName | '' = partnerChoice || (list?.length === 1 && list[0] ? list[0].partner : '');
  const partnerStatus = list?.find((p) => p.partner === partner);

  const pharmaciesKey = `${partner}#${pharmacyTry}`;
  useEffect(() => {
    if (!partner) return;
    let current = true;
    void store
      .getState()
      .partnerPharmacies(partner)
      .then((reply) => current && setPharmacies({ key: `${partner}#${pharmacyTry}`, reply }));
    return () => {
      current = false;
    };
  }, [store, partner, pharmacyTry]);
  const pharmaciesLoading = Boolean(partner) && pharmacies?.key !== pharmaciesKey;
  const pharmacyList = !pharmaciesLoading && pharmacies?.reply.ok ? pharmacies.reply.value.pharmacies : [];
  const active = pharmacyList.filter((p) => p.status === 'active');
  const pharmacy = pharmacyChoice || (pharmacyList.length === 1 && pharmacyList[0] ? pharmacyList[0].id : active.length === 1 && active[0] ? active[0].id : '');

  // The problems the core found, each tied to the field it names.
  const problems = (problem?.details ?? []).map(describeProblem);
  const invalid = new Set(problems.map((p) => p.field).filter(Boolean));
  const errorId = (field: Field) => (invalid.has(field) ? `${ids}-problem-${field}` : undefined);
  const fieldProps = (field: Field) => ({ 'aria-invalid': invalid.has(field) || undefined, 'aria-describedby': errorId(field) });

  useEffect(() => {
    if (problem) problemRef.current?.focus();
  }, [problem]);

  const send = async () => {
    if (!partner) return;
    const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
    const details: DispatchDetails = {
      ...(pharmacy ? { pharmacy_id: pharmacy } : {}),
      ...(medication ? { medication_id: medication.medication_id } : {}),
      ...(dob ? { patient_dob: dob } : {}),
      ...(email.trim() ? { patient_email: email.trim() } : {}),
      ...(gender ? { patient_gender: gender } : {}),
      ...(number(quantity) !== undefined ? { dispense_quantity: number(quantity) } : {}),
      ...(number(daysSupply) !== undefined ? { days_supply: number(daysSupply) } : {}),
      ...(notes.trim() ? { clinical_notes: notes.trim() } : {}),
    };
    setSending(true);
    setProblem(undefined);
    const reply = await store.getState().dispatch(partner, details);
    setSending(false);
    if (reply.ok) onClose();
    else setProblem(reply.error);
  };

  const partnerName = partnerStatus?.name ?? 'partner';
  return (
    <form
      className="partner-dispatch"
      aria-label="Send to partner"
      aria-busy={sending}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h3>Send to a fulfilment partner</h3>
      <p className="hint">The partner fills and ships the order instead of the in-house courier; its progress shows here and goes to BestRx.</p>

      <fieldset>
        <legend>Where</legend>
        {!list && !partners.error && <p aria-busy="true">Loading partners…</p>}
        {partners.error && !list && <p role="alert">Partners could not be loaded: {partners.error.message}</p>}
        {list && list.length === 0 && <p className="empty">No partner is connected. Set one up in Settings, under Partners.</p>}
        {list && list.length > 0 && (
          <label>
            Partner
            <select
              autoFocus
              value={partner}
              onChange={(e) => {
                setPartnerChoice(e.target.value as PartnerName | '');
                setPharmacyChoice('');
                setMedication(undefined);
              }}
              {...fieldProps('partner')}
            >
              {list.length > 1 && <option value="">Choose…</option>}
              {list.map((p) => (
                <option key={p.partner} value={p.partner}>
                  {p.name}
                  {p.mode === 'sandbox' ? ' (sandbox)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        {partnerStatus && !partnerStatus.connected && partnerStatus.last_error && (
          <p className="notice">
            {partnerStatus.name} is not reachable right now ({partnerStatus.last_error}). The hand-over can still be sent: RxRelay keeps trying.
          </p>
        )}
        {partner && (
          <label>
            Pharmacy
            <select
              value={pharmacy}
              disabled={pharmaciesLoading || pharmacyList.length === 0}
              onChange={(e) => {
                setPharmacyChoice(e.target.value);
                setMedication(undefined);
              }}
              {...fieldProps('pharmacy_id')}
            >
              {pharmaciesLoading ? (
                <option value="">Loading pharmacies…</option>
              ) : (
                <>
                  <option value="">{pharmacyList.length === 0 ? 'No pharmacies' : 'Choose…'}</option>
                  {pharmacyList.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                      {p.status === 'active' ? '' : ` (${p.status})`}
                    </option>
                  ))}
                </>
              )}
            </select>
          </label>
        )}
        {!pharmaciesLoading && pharmacies && !pharmacies.reply.ok && (
          <p role="alert" className="inline-problem">
            {partnerName}’s pharmacies could not be loaded: {pharmacies.reply.error.message}{' '}
            <button type="button" className="link-button" onClick={() => setPharmacyTry((n) => n + 1)}>
              Try again
            </button>
          </p>
        )}
      </fieldset>

      <fieldset className="medication" {...(invalid.has('medication_id') ? { 'aria-describedby': errorId('medication_id') } : {})}>
        <legend>Medication</legend>
        <p className={medication ? 'chosen' : 'hint'} id={`${ids}-chosen`}>
          {medication ? (
            <>
              Chosen: <strong>{medicationName(medication)}</strong>
              {medication.form ? `, ${medication.form}` : ''} — {price(medication.price)}
              {medication.formulation && medication.formulation !== medication.name ? <span className="formulation">{medication.formulation}</span> : null}
            </>
          ) : pharmacy ? (
            'Choose one from the catalog below.'
          ) : (
            'Choose a pharmacy to see its catalog.'
          )}
        </p>
        {partner && pharmacy && (
          <Catalog
            key={`${partner}:${pharmacy}`}
            store={store}
            partner={partner}
            partnerName={partnerName}
            pharmacyId={pharmacy}
            chosen={medication?.medication_id}
            onChoose={setMedication}
          />
        )}
      </fieldset>

      <fieldset>
        <legend>Patient (what {partnerName} needs that BestRx did not send)</legend>
        <label>
          Date of birth
          <input type="date" value={dob} onChange={(e) => setDob(e.target.value)} {...fieldProps('patient_dob')} />
        </label>
        <label>
          Email
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} autoComplete="off" {...fieldProps('patient_email')} />
        </label>
        <label>
          Gender
          <select value={gender} onChange={(e) => setGender(e.target.value as '' | 'M' | 'F' | 'U')} {...fieldProps('patient_gender')}>
            <option value="">Choose…</option>
            <option value="F">Female</option>
            <option value="M">Male</option>
            <option value="U">Unknown</option>
          </select>
        </label>
      </fieldset>

      <fieldset>
        <legend>Prescription</legend>
        <label>
          Dispense quantity (1–1000)
          <input type="number" inputMode="numeric" min={1} max={1000} step={1} value={quantity} onChange={(e) => setQuantity(e.target.value)} {...fieldProps('dispense_quantity')} />
        </label>
        <label>
          Days supply (1–365)
          <input type="number" inputMode="numeric" min={1} max={365} step={1} value={daysSupply} onChange={(e) => setDaysSupply(e.target.value)} {...fieldProps('days_supply')} />
        </label>
        <label className="wide">
          Clinical notes for the pharmacist (optional, {notes.length}/2048)
          <textarea rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={2048} {...fieldProps('clinical_notes')} />
        </label>
      </fieldset>

      {problem && (
        <div className="error" role="alert" tabIndex={-1} ref={problemRef}>
          {problems.length > 0 ? (
            <>
              <p>Not sent. {problems.length === 1 ? 'Fix this' : 'Fix these'} and send again:</p>
              <ul>
                {problems.map((p, i) => (
                  <li key={`${i}-${p.text}`} id={p.field && problems.findIndex((q) => q.field === p.field) === i ? errorId(p.field) : undefined}>
                    {p.text}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>
              Not sent: {problem.message}
              {problem.code === 'partner_unavailable' ? ' What you entered is kept: send again in a moment.' : ''}
            </p>
          )}
        </div>
      )}

      <div className="capture-actions">
        <button type="submit" disabled={sending || !partner}>
          {sending ? `Sending to ${partnerName}…` : partner ? `Send to ${partnerName}` : 'Send to partner'}
        </button>
        <button type="button" onClick={onClose} disabled={sending}>
          Back
        </button>
      </div>
    </form>
  );
}

/** One pharmacy's catalog, a page (25) at a time, with a filter over the page shown. */
function Catalog(props: {
  store: AppStore;
  partner: PartnerName;
  partnerName: string;
  pharmacyId: string;
  chosen: string | undefined;
  onChoose: (medication: Medication) => void;
}): JSX.Element {
  const { store, partner, partnerName, pharmacyId, chosen, onChoose } = props;
  const ids = useId();
  const [page, setPage] = useState(1);
  const [attempt, setAttempt] = useState(0);
  const [filter, setFilter] = useState('');
  const [loaded, setLoaded] = useState<Loaded<AppApiOutput<'partners.medications'>> | undefined>();
  // The page last shown stays on screen while the next one loads.
  const [shown, setShown] = useState<AppApiOutput<'partners.medications'> | undefined>();
  const scrollRef = useRef<HTMLDivElement>(null);
  // A new page starts at its top.
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [shown]);

  const key = `${page}#${attempt}`;
  useEffect(() => {
    let current = true;
    void store
      .getState()
      .partnerMedications(partner, pharmacyId, page)
      .then((reply) => {
        if (!current) return;
        setLoaded({ key: `${page}#${attempt}`, reply });
        if (reply.ok) setShown(reply.value);
      });
    return () => {
      current = false;
    };
  }, [store, partner, pharmacyId, page, attempt]);

  const loading = loaded?.key !== key;
  const failed = !loading && loaded && !loaded.reply.ok ? loaded.reply.error : undefined;
  const totalPages = shown?.total_pages ?? 0;
  const words = filter.trim().toLowerCase();
  const rows = (shown?.medications ?? []).filter(
    (m) => !words || [m.name, m.strength, m.form, m.formulation, m.type].some((v) => v?.toLowerCase().includes(words)),
  );

  return (
    <div className="catalog">
      <div className="catalog-tools">
        <label>
          Filter this page
          <input
            type="search"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
            // Enter filters; it must not send the whole form.
            onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
            placeholder="name, strength or form"
            autoComplete="off"
          />
        </label>
        <div className="pager" role="group" aria-label="Catalog pages">
          <button type="button" disabled={page <= 1} onClick={() => setPage((p) => Math.max(1, p - 1))}>
            Previous
          </button>
          <span aria-live="polite" id={`${ids}-page`}>
            {loading ? `Loading page ${page}…` : totalPages > 0 ? `Page ${page} of ${totalPages}` : 'No pages'}
          </span>
          <button type="button" disabled={loading ? true : page >= totalPages} onClick={() => setPage((p) => p + 1)}>
            Next
          </button>
        </div>
      </div>
      {failed && (
        <p role="alert" className="inline-problem">
          {partnerName}’s catalog could not be loaded: {failed.message}{' '}
          <button type="button" className="link-button" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </p>
      )}
      {!shown && loading && <p aria-busy="true">Loading {partnerName}’s catalog…</p>}
      {shown && shown.total === 0 && <p className="empty">This pharmacy lists no medications.</p>}
      {shown && shown.medications.length > 0 && (
        <>
          <div className="catalog-scroll" ref={scrollRef}>
            <table aria-busy={loading} aria-describedby={`${ids}-page`}>
              <caption className="visually-hidden">Medications from {partnerName}</caption>
              <thead>
                <tr>
                  <th scope="col">Medication</th>
                  <th scope="col">Strength</th>
                  <th scope="col">Form</th>
                  <th scope="col" className="price">
                    Price
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => (
                  <tr key={m.medication_id} className={m.medication_id === chosen ? 'chosen' : undefined}>
                    <td>
                      <label className="choice">
                        <input type="radio" name={`${ids}-medication`} checked={m.medication_id === chosen} onChange={() => onChoose(m)} />
                        <span>
                          {m.name}
                          {m.formulation && m.formulation !== m.name ? <span className="formulation">{m.formulation}</span> : null}
                        </span>
                      </label>
                    </td>
                    <td>{m.strength ?? '—'}</td>
                    <td>{m.form ?? '—'}</td>
                    <td className="price">{price(m.price)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.length === 0 && <p className="empty">Nothing on this page matches “{filter.trim()}”. Try another page, or clear the filter.</p>}
          <p className="hint">
            {shown.total} medication{shown.total === 1 ? '' : 's'}; prices from {partnerName} as of {clock(shown.fetched_at)}.
          </p>
        </>
      )}
    </div>
  );
}
