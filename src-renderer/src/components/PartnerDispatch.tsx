// Handing an order not yet picked up to a fulfilment partner instead of the in-house courier.
// The form asks for what the chosen partner needs (its `dispatch_fields`): for United Pharmacy
// the partner's pharmacy, a medication from that pharmacy's catalog (browsed a page at a time,
// with the partner's live prices), the patient and the prescription; for CaryRx the patient, the
// shipping method, central fill and, live, which of the patient's prescriptions at CaryRx go; for
// Honeybee Health the incoming prescriptions matched to this order (ticked, each in packs of a
// package size), the shipping method and what to do with the address.
// The core checks everything and names each missing or invalid field; what was typed stays until
// the order is sent. An order with payment to collect stays in-house: partners collect nothing.
import { useEffect, useId, useRef, useState, type JSX } from 'react';
import type {
  AppApiError,
  AppApiInput,
  AppApiOutput,
  AppApiReply,
  DispatchField,
  IDENTITY_DOCUMENT_TYPES,
  IncomingPrescriptionView,
  OrderDetail,
  PartnerName,
} from '../../../src-shared/app-api-contract';
import { PRE_PICKUP_STATUSES } from '../../../src-shared/order-status';
import { clock, dobWords, fieldProblem, fillsLeft, honeybeeProblemLine, prescriptionPatientName } from '../partner-words';
import type { AppStore } from '../store/app-store';

type DispatchDetails = NonNullable<AppApiInput<'orders.dispatch'>['details']>;
type Medication = AppApiOutput<'partners.medications'>['medications'][number];
type PatientPrescriptions = AppApiOutput<'partners.patientPrescriptions'>;

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
  central_fill: 'Central fill',
  fill_items: 'Prescription to fill',
  ship_to_prescription_address: 'Ship to the e-prescription’s address',
  address_accept_suggested: 'Take the corrected address',
  address_ignore_warnings: 'Ship despite address warnings',
  identity_document: 'Patient’s ID document',
  // CaryRx's own name for the date of birth ("dob: the date of birth must be in the past").
  dob: 'Date of birth',
} as const;
type Field = Exclude<keyof typeof FIELD_LABELS, 'dob'>;

/**
 * A problem line from the core, with field names said as the form labels them (Honeybee's own
 * paths too: "patient.dob", "items.0.quantity"). `itemName` names the n-th prescription filled.
 */
export function describeProblem(line: string, itemName?: (index: number) => string | undefined): { field: Field | undefined; text: string } {
  const { field, text } = fieldProblem<keyof typeof FIELD_LABELS>(honeybeeProblemLine(line, itemName), FIELD_LABELS);
  return { field: field === 'dob' ? 'patient_dob' : field, text };
}

/** ID documents a partner accepts (Honeybee's codes). */
const IDENTITY_DOCUMENT_CHOICES: ReadonlyArray<readonly [(typeof IDENTITY_DOCUMENT_TYPES)[number], string]> = [
  ['DL', 'Driver licence'],
  ['SI', 'State ID'],
  ['PP', 'Passport'],
  ['MI', 'Military ID'],
  ['PR', 'Permanent resident card'],
  ['TI', 'Tribal ID'],
  ['OT', 'Other'],
];

/** Partners' shipping methods by their API value (CaryRx: same-day courier by default, or mail). */
const SHIPPING_METHODS: Partial<Record<PartnerName, ReadonlyArray<readonly [value: string, label: string]>>> = {
  caryrx: [
    ['sameday_delivery', 'Same-day delivery'],
    ['2day_mailorder', '2-day mail order'],
  ],
  // ASSUMPTION: Honeybee does not publish its shipping methods; the core checks these ids.
  honeybee: [
    ['1', 'Standard (USPS)'],
    ['2', 'Two-day (UPS)'],
    ['3', 'Overnight (FedEx)'],
  ],
};
/** How long the note for the partner's pharmacist may be (the core allows 2048; CaryRx takes 1000). */
const NOTE_LIMITS: Partial<Record<PartnerName, number>> = { caryrx: 1000 };
const NOTE_LIMIT = 2048;

const price = (value: string) => (/^\d+(\.\d+)?$/.test(value) ? `$${Number(value).toFixed(2)}` : value);
const medicationName = (m: Pick<Medication, 'name' | 'strength'>) => [m.name, m.strength].filter(Boolean).join(' ');
const money = (amount: number) => `$${amount.toFixed(2)}`;
const spaced = (status: string) => status.replaceAll('_', ' ');

/** Whether the order may go to a partner now: not picked up, and no hand-over under way. */
export function canDispatch(detail: OrderDetail): boolean {
  return PRE_PICKUP_STATUSES.includes(detail.status) && (detail.partner === null || detail.partner.state === 'failed');
}

/** The "Send to partner…" action and, once chosen, its form; or why the order stays in-house. */
export function PartnerDispatch({ detail, store }: { detail: OrderDetail; store: AppStore }): JSX.Element | null {
  const [open, setOpen] = useState(false);
  const [returnFocus, setReturnFocus] = useState(false);
  if (!canDispatch(detail)) return null;
  if (detail.amount_to_collect > 0) {
    // The core refuses it too; saying so here spares filling in a form for nothing.
    return (
      <div className="actions partner-refused" role="group" aria-label="Fulfilment partner">
        <p className="hint">
          Not for a partner: {money(detail.amount_to_collect)} is to be collected at the door, and partners collect no payment. Deliver this order
          in-house.
        </p>
      </div>
    );
  }
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

/** Honeybee: whether to fill a matched prescription, and how much (packs × units per pack), as typed. */
interface FillChoice {
  picked: boolean;
  packs: string;
  size: string;
}

/** Until staff change it: ticked while a fill is left, one pack of the written quantity. */
const defaultFill = (p: IncomingPrescriptionView): FillChoice => ({
  picked: fillsLeft(p) > 0,
  packs: '1',
  size: String(Math.max(1, Math.round(p.written_qty ?? 1))),
});

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
  const [shipping, setShipping] = useState('');
  const [centralFill, setCentralFill] = useState(false);
  const [prescriptions, setPrescriptions] = useState<{ email: string; ids: string[] }>({ email: '', ids: [] });
  const [fillChoices, setFillChoices] = useState<Record<string, FillChoice>>({});
  const [incoming, setIncoming] = useState<Loaded<AppApiOutput<'partners.incomingPrescriptions'>> | undefined>();
  const [incomingTry, setIncomingTry] = useState(0);
  const [shipToErx, setShipToErx] = useState(false);
  const [acceptSuggested, setAcceptSuggested] = useState(false);
  const [ignoreWarnings, setIgnoreWarnings] = useState(false);
  const [idDocument, setIdDocument] = useState({ type: 'DL', state: detail.recipient.address.state, number: '', expiry: '' });
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
  // What this partner needs at dispatch: the form asks for exactly these.
  const wanted = new Set<DispatchField>(partnerStatus?.dispatch_fields ?? []);
  const asks = (field: DispatchField) => wanted.has(field);
  const needsPharmacy = asks('pharmacy_id');

  const pharmaciesKey = `${partner}#${pharmacyTry}`;
  useEffect(() => {
    if (!partner || !needsPharmacy) return;
    let current = true;
    void store
      .getState()
      .partnerPharmacies(partner)
      .then((reply) => current && setPharmacies({ key: `${partner}#${pharmacyTry}`, reply }));
    return () => {
      current = false;
    };
  }, [store, partner, needsPharmacy, pharmacyTry]);
  const pharmaciesLoading = Boolean(partner) && needsPharmacy && pharmacies?.key !== pharmaciesKey;
  const pharmacyList = needsPharmacy && !pharmaciesLoading && pharmacies?.reply.ok ? pharmacies.reply.value.pharmacies : [];
  const active = pharmacyList.filter((p) => p.status === 'active');
  const pharmacy = pharmacyChoice || (pharmacyList.length === 1 && pharmacyList[0] ? pharmacyList[0].id : active.length === 1 && active[0] ? active[0].id : '');

  // Honeybee: the incoming prescriptions staff matched to this order are the ones it can fill.
  const fillsMatched = asks('fill_items');
  const incomingKey = `${partner}#${incomingTry}`;
  useEffect(() => {
    if (!partner || !fillsMatched) return;
    let current = true;
    void store
      .getState()
      .incomingPrescriptions(partner)
      .then((reply) => current && setIncoming({ key: `${partner}#${incomingTry}`, reply }));
    return () => {
      current = false;
    };
  }, [store, partner, fillsMatched, incomingTry]);
  const incomingLoading = Boolean(partner) && fillsMatched && incoming?.key !== incomingKey;
  const matchedRx =
    fillsMatched && !incomingLoading && incoming?.reply.ok
      ? incoming.reply.value.prescriptions.filter((p) => p.matched_order_id === detail.id && p.state !== 'dismissed')
      : [];
  const fillOf = (p: IncomingPrescriptionView) => fillChoices[p.prescription_id] ?? defaultFill(p);
  const fills = matchedRx.filter((p) => fillOf(p).picked);

  const shippingMethods = partner ? SHIPPING_METHODS[partner] : undefined;
  const shippingMethod = shipping || shippingMethods?.[0]?.[0] || '';
  const noteLimit = (partner && NOTE_LIMITS[partner]) || NOTE_LIMIT;
  // Prescriptions picked from a list found with another email are another patient's: not sent.
  const pickedPrescriptions = prescriptions.email === email.trim() ? prescriptions.ids : [];

  // The problems the core found, each tied to the field it names (a fill item by its drug).
  const problems = (problem?.details ?? []).map((line) => describeProblem(line, (index) => fills[index]?.drug_name));
  const invalid = new Set(problems.map((p) => p.field).filter(Boolean));
  const errorId = (field: Field) => (invalid.has(field) ? `${ids}-problem-${field}` : undefined);
  const fieldProps = (field: Field) => ({ 'aria-invalid': invalid.has(field) || undefined, 'aria-describedby': errorId(field) });

  useEffect(() => {
    if (problem) problemRef.current?.focus();
  }, [problem]);

  const send = async () => {
    if (!partner) return;
    if (fillsMatched && matchedRx.length > 0 && fills.length === 0) {
      setProblem({ code: 'invalid_input', message: 'No prescription chosen.', details: ['prescription_ids: tick at least one of the prescriptions to fill.'] });
      return;
    }
    const number = (text: string) => (text.trim() === '' ? undefined : Number(text));
    // An emptied pack count is sent as 0: the core names it.
    const whole = (text: string) => number(text) ?? 0;
    const details: DispatchDetails = {
      ...(asks('pharmacy_id') && pharmacy ? { pharmacy_id: pharmacy } : {}),
      ...(asks('medication_id') && medication ? { medication_id: medication.medication_id } : {}),
      ...(asks('patient_dob') && dob ? { patient_dob: dob } : {}),
      ...(asks('patient_email') && email.trim() ? { patient_email: email.trim() } : {}),
      ...(asks('patient_gender') && gender ? { patient_gender: gender } : {}),
      ...(asks('dispense_quantity') && number(quantity) !== undefined ? { dispense_quantity: number(quantity) } : {}),
      ...(asks('days_supply') && number(daysSupply) !== undefined ? { days_supply: number(daysSupply) } : {}),
      ...(asks('clinical_notes') && notes.trim() ? { clinical_notes: notes.trim() } : {}),
      ...(asks('shipping_method') && shippingMethod.trim() ? { shipping_method: shippingMethod.trim() } : {}),
      ...(asks('central_fill') ? { central_fill: centralFill } : {}),
      ...(asks('prescription_ids') && !fillsMatched && pickedPrescriptions.length > 0 ? { prescription_ids: pickedPrescriptions } : {}),
      // Honeybee: those ticked, in packs; with none matched, the core says to match one first.
      ...(fillsMatched && fills.length > 0
        ? {
            prescription_ids: fills.map((p) => p.prescription_id),
            fill_items: fills.map((p) => ({ prescription_id: p.prescription_id, quantity: whole(fillOf(p).packs), package_size: whole(fillOf(p).size) })),
          }
        : {}),
      ...(asks('address_options')
        ? { ship_to_prescription_address: shipToErx, ...(shipToErx ? {} : { address_accept_suggested: acceptSuggested, address_ignore_warnings: ignoreWarnings }) }
        : {}),
      // Sent when staff filled it in (a controlled substance needs it; the core says so otherwise).
      ...(asks('identity_document') && (idDocument.number.trim() || idDocument.expiry)
        ? {
            identity_document: {
              document_type: idDocument.type as (typeof IDENTITY_DOCUMENT_TYPES)[number],
              issuing_country: 'US',
              ...(idDocument.state.trim() ? { issuing_state: idDocument.state.trim().toUpperCase() } : {}),
              document_number: idDocument.number.trim(),
              expiration_date: idDocument.expiry,
            },
          }
        : {}),
    };
    setSending(true);
    setProblem(undefined);
    const reply = await store.getState().dispatch(partner, details);
    setSending(false);
    if (reply.ok) onClose();
    else setProblem(reply.error);
  };

  const partnerName = partnerStatus?.name ?? 'partner';
  const asksPatient = asks('patient_dob') || asks('patient_email') || asks('patient_gender');
  const asksShipping = asks('shipping_method') || asks('central_fill') || asks('address_options');
  const asksPrescription = asks('prescription_ids') || asks('dispense_quantity') || asks('days_supply') || asks('clinical_notes');
  const customer = detail.customers.find((c) => c.first_name || c.last_name);
  const patientName = [customer?.first_name ?? detail.recipient.first_name, customer?.last_name ?? detail.recipient.last_name].filter(Boolean).join(' ');
  // What the partner's own patient record says (Honeybee), to compare with the order's patient.
  const partnerPatient = matchedRx.find((p) => p.patient)?.patient ?? null;
  const a = detail.recipient.address;
  const orderAddress = [a.address_line_1, a.address_line_2, `${a.city}, ${a.state} ${a.zip_code}`].filter(Boolean).join(', ');

  const prescriptionSection = asksPrescription && (
    <fieldset>
      <legend>{fillsMatched ? 'Prescriptions to fill' : 'Prescription'}</legend>
      {partner && fillsMatched && (
        <MatchedFills
          store={store}
          partnerName={partnerName}
          loading={incomingLoading}
          failed={!incomingLoading && incoming && !incoming.reply.ok ? incoming.reply.error : undefined}
          onRetry={() => setIncomingTry((n) => n + 1)}
          matched={matchedRx}
          fillOf={fillOf}
          onChange={(p, change) => setFillChoices((choices) => ({ ...choices, [p.prescription_id]: { ...(choices[p.prescription_id] ?? defaultFill(p)), ...change } }))}
          describedBy={errorId('prescription_ids') ?? errorId('fill_items')}
          invalid={invalid.has('fill_items')}
        />
      )}
      {partner && asks('prescription_ids') && !fillsMatched && (
        <PrescriptionPicker
          key={partner}
          store={store}
          partner={partner}
          partnerName={partnerName}
          patientName={patientName}
          email={email.trim()}
          picked={pickedPrescriptions}
          onPick={(picked) => setPrescriptions({ email: email.trim(), ids: picked })}
          describedBy={errorId('prescription_ids')}
        />
      )}
      {partner === 'caryrx' && !asks('prescription_ids') && partnerStatus?.mode === 'sandbox' && (
        <p className="hint">
          Sandbox: RxRelay creates the order’s prescriptions (by Rx number) at the {partnerName} simulator. Live, you pick the patient’s prescriptions at{' '}
          {partnerName}.
        </p>
      )}
      {asks('dispense_quantity') && (
        <label>
          Dispense quantity (1–1000)
          <input type="number" inputMode="numeric" min={1} max={1000} step={1} value={quantity} onChange={(e) => setQuantity(e.target.value)} {...fieldProps('dispense_quantity')} />
        </label>
      )}
      {asks('days_supply') && (
        <label>
          Days supply (1–365)
          <input type="number" inputMode="numeric" min={1} max={365} step={1} value={daysSupply} onChange={(e) => setDaysSupply(e.target.value)} {...fieldProps('days_supply')} />
        </label>
      )}
      {asks('clinical_notes') && (
        <label className="wide">
          {partner === 'united' ? 'Clinical notes for the pharmacist' : `Clinical notes for ${partnerName}’s pharmacist`} (optional, {notes.length}/{noteLimit})
          <textarea rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={noteLimit} {...fieldProps('clinical_notes')} />
        </label>
      )}
    </fieldset>
  );

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
                setShipping('');
                setPrescriptions({ email: '', ids: [] });
                setFillChoices({});
                setShipToErx(false);
                setAcceptSuggested(false);
                setIgnoreWarnings(false);
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
        {list && list.length > 1 && !partner && <p className="hint">Choose a partner to see what it needs.</p>}
        {partnerStatus && !partnerStatus.connected && partnerStatus.last_error && (
          <p className="notice">
            {partnerStatus.name} is not reachable right now ({partnerStatus.last_error}). The hand-over can still be sent: RxRelay keeps trying.
          </p>
        )}
        {partner && needsPharmacy && (
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
        {needsPharmacy && !pharmaciesLoading && pharmacies && !pharmacies.reply.ok && (
          <p role="alert" className="inline-problem">
            {partnerName}’s pharmacies could not be loaded: {pharmacies.reply.error.message}{' '}
            <button type="button" className="link-button" onClick={() => setPharmacyTry((n) => n + 1)}>
              Try again
            </button>
          </p>
        )}
      </fieldset>

      {asks('medication_id') && (
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
      )}

      {/* Honeybee fills what was matched to the order: that comes first. */}
      {fillsMatched && prescriptionSection}

      {asksPatient && (
        <fieldset>
          <legend>Patient (what {partnerName} needs that BestRx did not send)</legend>
          {asks('patient_dob') && (
            <label>
              Date of birth
              <input type="date" value={dob} onChange={(e) => setDob(e.target.value)} {...fieldProps('patient_dob')} />
            </label>
          )}
          {fillsMatched && partnerPatient?.dob && (
            <p className="hint">
              {partnerName} has {prescriptionPatientName({ patient: partnerPatient }) ?? 'the patient'} born {dobWords(partnerPatient.dob)}: check it with the
              patient. Leave the date of birth empty to keep it, or enter the right one.
            </p>
          )}
          {asks('patient_email') && (
            <label>
              Email
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} maxLength={254} autoComplete="off" {...fieldProps('patient_email')} />
            </label>
          )}
          {asks('patient_gender') && (
            <label>
              Gender
              <select value={gender} onChange={(e) => setGender(e.target.value as '' | 'M' | 'F' | 'U')} {...fieldProps('patient_gender')}>
                <option value="">Choose…</option>
                <option value="F">Female</option>
                <option value="M">Male</option>
                <option value="U">Unknown</option>
              </select>
            </label>
          )}
        </fieldset>
      )}

      {asks('identity_document') && fills.some((p) => p.controlled) && (
        <fieldset>
          <legend>Patient’s ID document (for the controlled substance)</legend>
          <p className="hint">Check the patient’s ID at the counter; {partnerName} needs its type, number and expiry to fill a controlled substance.</p>
          <label>
            Type
            <select value={idDocument.type} onChange={(e) => setIdDocument({ ...idDocument, type: e.target.value })} {...fieldProps('identity_document')}>
              {IDENTITY_DOCUMENT_CHOICES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Issuing state
            <input value={idDocument.state} onChange={(e) => setIdDocument({ ...idDocument, state: e.target.value })} maxLength={2} autoComplete="off" {...fieldProps('identity_document')} />
          </label>
          <label>
            Document number
            <input value={idDocument.number} onChange={(e) => setIdDocument({ ...idDocument, number: e.target.value })} maxLength={50} autoComplete="off" {...fieldProps('identity_document')} />
          </label>
          <label>
            Expires
            <input type="date" value={idDocument.expiry} onChange={(e) => setIdDocument({ ...idDocument, expiry: e.target.value })} {...fieldProps('identity_document')} />
          </label>
        </fieldset>
      )}

      {asksShipping && (
        <fieldset>
          <legend>Delivery</legend>
          {asks('shipping_method') && (
            <label>
              Shipping method
              {shippingMethods ? (
                <select value={shippingMethod} onChange={(e) => setShipping(e.target.value)} {...fieldProps('shipping_method')}>
                  {shippingMethods.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              ) : (
                <input value={shipping} onChange={(e) => setShipping(e.target.value)} maxLength={100} autoComplete="off" {...fieldProps('shipping_method')} />
              )}
            </label>
          )}
          {asks('central_fill') && (
            <label className="choice central-fill">
              <input type="checkbox" checked={centralFill} onChange={(e) => setCentralFill(e.target.checked)} {...fieldProps('central_fill')} />
              Fill at {partnerName} central fill
            </label>
          )}
          {asks('address_options') && (
            <div className="address-options">
              <p>
                Ship to: <strong>{shipToErx ? 'the address on the e-prescription' : orderAddress}</strong>
                {shipToErx ? '' : ' (the order’s delivery address)'}
              </p>
              <label className="choice">
                <input type="checkbox" checked={shipToErx} onChange={(e) => setShipToErx(e.target.checked)} {...fieldProps('ship_to_prescription_address')} />
                Ship to the address on the e-prescription instead
              </label>
              <label className="choice">
                <input
                  type="checkbox"
                  checked={acceptSuggested && !shipToErx}
                  disabled={shipToErx}
                  onChange={(e) => setAcceptSuggested(e.target.checked)}
                  {...fieldProps('address_accept_suggested')}
                />
                If {partnerName}’s address check corrects the address, take the corrected one
              </label>
              <label className="choice">
                <input
                  type="checkbox"
                  checked={ignoreWarnings && !shipToErx}
                  disabled={shipToErx}
                  onChange={(e) => setIgnoreWarnings(e.target.checked)}
                  {...fieldProps('address_ignore_warnings')}
                />
                Ship to this address even if the address check warns about it
              </label>
              {shipToErx && <p className="hint">{partnerName} checks the e-prescription’s address itself and holds the order if it cannot ship there.</p>}
            </div>
          )}
        </fieldset>
      )}

      {!fillsMatched && prescriptionSection}

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

/**
 * CaryRx live: the patient's prescriptions at the partner (e-Rx reach CaryRx on their own), found
 * by the patient's name and the email above, to tick the ones this order sends.
 */
function PrescriptionPicker(props: {
  store: AppStore;
  partner: PartnerName;
  partnerName: string;
  patientName: string;
  email: string;
  picked: string[];
  onPick: (picked: string[]) => void;
  describedBy: string | undefined;
}): JSX.Element {
  const { store, partner, partnerName, patientName, email, picked, onPick, describedBy } = props;
  const ids = useId();
  const [found, setFound] = useState<{ email: string; reply: AppApiReply<PatientPrescriptions> } | undefined>();
  const [looking, setLooking] = useState(false);
  const [needEmail, setNeedEmail] = useState(false);

  const find = async () => {
    if (!email) return setNeedEmail(true);
    setNeedEmail(false);
    setLooking(true);
    const reply = await store.getState().patientPrescriptions(partner, email);
    setLooking(false);
    setFound({ email, reply });
    if (reply.ok) onPick([]);
  };

  // A list found with another email is another patient's: not shown.
  const shown = found && found.email === email ? found.reply : undefined;
  const toggle = (id: string, on: boolean) => onPick(on ? [...picked.filter((p) => p !== id), id] : picked.filter((p) => p !== id));

  return (
    <div className="rx-picker" aria-busy={looking}>
      <p className="hint" id={`${ids}-how`}>
        {partnerName} receives the prescriptions by e-Rx. Find {patientName || 'the patient'}’s prescriptions there (by name and the email above) and tick
        the ones this order sends.
      </p>
      <div>
        <button type="button" className="secondary" disabled={looking} onClick={() => void find()} aria-describedby={describedBy ?? `${ids}-how`}>
          {looking ? `Looking at ${partnerName}…` : shown ? `Find the patient’s prescriptions at ${partnerName} again` : `Find the patient’s prescriptions at ${partnerName}`}
        </button>
      </div>
      {needEmail && (
        <p role="alert" className="inline-problem">
          Enter the patient’s email first: {partnerName} finds the patient by name and email.
        </p>
      )}
      {found && !shown && !looking && <p className="hint">The email changed since the last search: find the prescriptions again.</p>}
      {shown && !shown.ok && (
        <div role="alert" className="inline-problem">
          <p>
            {partnerName} could not be asked for the prescriptions: {shown.error.message}
          </p>
          {shown.error.details && shown.error.details.length > 0 && (
            <ul>
              {shown.error.details.map((line) => (
                <li key={line}>{describeProblem(line).text}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {shown?.ok && !shown.value.patient_found && (
        <p className="notice" role="status">
          No patient named {patientName || 'like this'} with the email {email} at {partnerName} yet. {partnerName} adds a patient when their first e-Rx
          arrives: check the email, or try again once the prescription is sent.
        </p>
      )}
      {shown?.ok && shown.value.patient_found && shown.value.prescriptions.length === 0 && (
        <p className="notice" role="status">
          {partnerName} knows {patientName || 'the patient'} but has no prescriptions for them yet: try again once the e-Rx has arrived.
        </p>
      )}
      {shown?.ok && shown.value.prescriptions.length > 0 && (
        <fieldset className="rx-choices" aria-describedby={describedBy}>
          <legend>
            Prescriptions at {partnerName} ({picked.length} of {shown.value.prescriptions.length} chosen)
          </legend>
          {shown.value.prescriptions.map((rx) => (
            <label key={rx.id} className="choice">
              <input type="checkbox" checked={picked.includes(rx.id)} onChange={(e) => toggle(rx.id, e.target.checked)} />
              <span>
                <strong>{rx.medication_name}</strong>
                {' · '}
                {rx.rx_number ? `Rx ${rx.rx_number}` : 'no Rx number'}
                {' · '}
                {spaced(rx.status)}
                {rx.refills_remaining !== null ? ` · ${rx.refills_remaining} refill${rx.refills_remaining === 1 ? '' : 's'} left` : ''}
              </span>
            </label>
          ))}
        </fieldset>
      )}
    </div>
  );
}

/**
 * Honeybee: the incoming prescriptions staff matched to this order, each ticked while a fill is
 * left, with how much to fill — packs of a package size (one bottle of 30: 1 × 30).
 */
function MatchedFills(props: {
  store: AppStore;
  partnerName: string;
  loading: boolean;
  failed: AppApiError | undefined;
  onRetry: () => void;
  matched: IncomingPrescriptionView[];
  fillOf: (p: IncomingPrescriptionView) => FillChoice;
  onChange: (p: IncomingPrescriptionView, change: Partial<FillChoice>) => void;
  describedBy: string | undefined;
  invalid: boolean;
}): JSX.Element {
  const { store, partnerName, loading, failed, onRetry, matched, fillOf, onChange, describedBy, invalid } = props;
  const ids = useId();
  const picked = matched.filter((p) => fillOf(p).picked).length;
  const controlled = matched.some((p) => p.controlled && fillOf(p).picked);
  if (loading) return <p aria-busy="true">Loading the {partnerName} prescriptions matched to this order…</p>;
  if (failed) {
    return (
      <p role="alert" className="inline-problem">
        {partnerName}’s incoming prescriptions could not be loaded: {failed.message}{' '}
        <button type="button" className="link-button" onClick={onRetry}>
          Try again
        </button>
      </p>
    );
  }
  if (matched.length === 0) {
    return (
      <p className="notice">
        No {partnerName} prescription is matched to this order yet. {partnerName} fills only the e-prescriptions it received: match one to this order
        under{' '}
        <button type="button" className="link-button" onClick={() => store.getState().showView('incoming')}>
          Incoming prescriptions
        </button>{' '}
        first.
      </p>
    );
  }
  return (
    <div className="rx-fills" role="group" aria-labelledby={`${ids}-legend`} aria-describedby={describedBy}>
      <p id={`${ids}-legend`} className="fills-legend">
        Matched to this order ({picked} of {matched.length} chosen)
      </p>
      {matched.map((p) => {
        const fill = fillOf(p);
        const left = fillsLeft(p);
        const units = Number(fill.packs) * Number(fill.size);
        return (
          <div key={p.prescription_id} className={`fill-row${fill.picked ? '' : ' unpicked'}`}>
            <label className="choice">
              <input type="checkbox" checked={fill.picked} onChange={(e) => onChange(p, { picked: e.target.checked })} />
              <span id={`${ids}-${p.prescription_id}`}>
                <strong>{p.drug_name}</strong>
                {' · '}
                {p.written_qty !== null ? `${p.written_qty} written` : 'quantity not written'}
                {' · '}
                {left === 0 ? 'no fill left' : p.refills_left !== null ? `${p.refills_left} refill${p.refills_left === 1 ? '' : 's'} left` : 'refills not known'}
                {p.sig_text ? <span className="formulation">{p.sig_text}</span> : null}
              </span>
            </label>
            {fill.picked && (
              <span className="fill-amount">
                <label>
                  Packs<span className="visually-hidden"> of {p.drug_name}</span>
                  <input
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={100}
                    step={1}
                    value={fill.packs}
                    onChange={(e) => onChange(p, { packs: e.target.value })}
                    aria-invalid={invalid || undefined}
                  />
                </label>
                <span aria-hidden="true">×</span>
                <label>
                  Units per pack<span className="visually-hidden"> of {p.drug_name}</span>
                  <input
                    type="number"
                    inputMode="numeric"
                    min={1}
                    max={10000}
                    step={1}
                    value={fill.size}
                    onChange={(e) => onChange(p, { size: e.target.value })}
                    aria-invalid={invalid || undefined}
                  />
                </label>
                <span className="fill-total">{Number.isFinite(units) && units > 0 ? `= ${units} units` : ''}</span>
              </span>
            )}
            {p.controlled && <p className="notice">Controlled — needs the patient’s ID: fill in the ID document below.</p>}
          </div>
        );
      })}
      {controlled && <p className="hint">Without the patient’s ID, untick a controlled prescription to send the others now.</p>}
    </div>
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
