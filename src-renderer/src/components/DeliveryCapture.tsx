// Proof of delivery at the door: the consents with their options, the signature, who signed,
// the ID check (typed, or read from the licence's PDF417 by a USB scanner in keyboard mode) and
// the payment collected. Saved at once with the moment it was captured; the core checks the
// order's requirements (signature, photo ID, consents, collection) and says what is missing.
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from 'react';
import SignaturePad from 'signature_pad';
import { isExpired, parseLicenceBarcode, type LicenceData } from '../../../src-shared/aamva';
import type { OrderDetail, TransitionProof } from '../../../src-shared/app-api-contract';
import { localDate } from '../../../src-shared/local-date';
import { COLLECTION_METHODS, ID_TYPES, SIGNER_RELATIONS, type IdType, type SignerRelation } from '../../../src-shared/signer-codes';
import type { AppStore } from '../store/app-store';

const RELATION_NAMES: Record<SignerRelation, string> = {
  patient: 'Patient / customer',
  parent_or_guardian: 'Parent or legal guardian',
  spouse: 'Spouse',
  caregiver: 'Caregiver',
  other: 'Other',
};

const ID_TYPE_NAMES: Record<IdType, string> = {
  military_id: 'Military ID',
  state_id: 'State-issued ID',
  unique_system_id: 'Unique system ID',
  permanent_resident_card: 'Permanent resident card',
  passport: 'Passport',
  drivers_license: 'Driver’s licence',
  social_security_number: 'Social Security number',
  tribal_id: 'Tribal ID',
  other: 'Other',
};

const METHOD_NAMES: Record<(typeof COLLECTION_METHODS)[number], string> = { cash: 'Cash', check: 'Check', card: 'Card', other: 'Other' };


export function DeliveryCapture({ detail, store, onClose }: { detail: OrderDetail; store: AppStore; onClose: () => void }): JSX.Element {
  const busy = store((s) => s.busy);
  const [answers, setAnswers] = useState<string[]>(() => detail.consents.map(() => ''));
  const [signature, setSignature] = useState<string | undefined>();
  const [relation, setRelation] = useState<SignerRelation | ''>('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [idType, setIdType] = useState<IdType | ''>('');
  const [jurisdiction, setJurisdiction] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [scan, setScan] = useState('');
  const [scanned, setScanned] = useState<{ licence?: LicenceData; error?: string } | undefined>();
  const [amount, setAmount] = useState(detail.amount_to_collect > 0 ? detail.amount_to_collect.toFixed(2) : '');
  const [method, setMethod] = useState<(typeof COLLECTION_METHODS)[number] | ''>('');
  const [notes, setNotes] = useState('');

  // A scanner types the whole barcode in a burst; read it once the burst is over.
  useEffect(() => {
    if (!scan.trim()) return;
    const timer = window.setTimeout(() => {
      const parsed = parseLicenceBarcode(scan);
      if (!parsed.ok) {
        setScanned({ error: parsed.error });
        return;
      }
      const { licence } = parsed;
      setScanned({ licence });
      setIdType(licence.document === 'id_card' ? 'state_id' : 'drivers_license');
      setJurisdiction(licence.jurisdiction ?? '');
      setIdNumber(licence.id_number);
      // The card names the person showing it: the signer, unless staff already typed a name.
      setFirstName((current) => current || titleCase(licence.first_name));
      setLastName((current) => current || titleCase(licence.last_name));
    }, 150);
    return () => window.clearTimeout(timer);
  }, [scan]);

  const expired = scanned?.licence ? isExpired(scanned.licence, localDate(new Date())) : false;
  const requirements = useMemo(
    () =>
      [
        detail.flags.signature_required && 'a signature',
        detail.flags.photo_id_required && 'a photo ID check',
        detail.consents.length > 0 && `${detail.consents.length === 1 ? 'the consent' : `${detail.consents.length} consents`} answered`,
        detail.amount_to_collect > 0 && `$${detail.amount_to_collect.toFixed(2)} collected`,
      ].filter(Boolean) as string[],
    [detail],
  );

  const save = async () => {
    const signer =
      relation || firstName.trim() || lastName.trim()
        ? {
            relation: relation || 'other',
            first_name: firstName.trim(),
            last_name: lastName.trim(),
            ...(idType ? { id_type: idType } : {}),
            ...(jurisdiction.trim() ? { jurisdiction: jurisdiction.trim().toUpperCase() } : {}),
            ...(idNumber.trim() ? { id_no: idNumber.trim() } : {}),
          }
        : undefined;
    const proof: TransitionProof = {
      ...(signature ? { signature_png_base64: signature } : {}),
      ...(signer ? { signer } : {}),
      ...(detail.consents.length > 0
        ? { consents: detail.consents.flatMap((c, i) => (answers[i] ? [{ consent_type: c.consent_type ?? '', response: answers[i] }] : [])) }
        : {}),
      ...(amount && method ? { collected: { amount: Number(amount), method } } : {}),
    };
    const ok = await store.getState().transition('delivered', notes.trim() || undefined, proof, new Date().toISOString());
    if (ok) onClose();
  };

  return (
    <form
      className="delivery-capture"
      aria-label="Delivery capture"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>Proof of delivery</h3>
      <p className="requirements">{requirements.length > 0 ? `This order needs ${requirements.join(', ')}.` : 'This order has no special requirements.'}</p>

      {detail.consents.map((consent, index) => (
        <fieldset key={index} className="consent">
          <legend>{consent.consent_header ?? `Consent ${index + 1}`}</legend>
          {consent.consent_text && <p>{consent.consent_text}</p>}
          {consent.consent_inputs.length > 0 ? (
            <div role="radiogroup" aria-label={`Answer to ${consent.consent_header ?? `consent ${index + 1}`}`}>
              {consent.consent_inputs.map((option) => (
                <label key={option} className="choice">
                  <input
                    type="radio"
                    name={`consent-${index}`}
                    value={option}
                    checked={answers[index] === option}
                    onChange={() => setAnswers((current) => current.map((a, i) => (i === index ? option : a)))}
                  />
                  {option}
                </label>
              ))}
            </div>
          ) : (
            <label>
              Answer
              <input value={answers[index] ?? ''} onChange={(e) => setAnswers((current) => current.map((a, i) => (i === index ? e.target.value : a)))} />
            </label>
          )}
        </fieldset>
      ))}

      <fieldset>
        <legend>Signature{detail.flags.signature_required ? ' (required)' : ''}</legend>
        <SignatureField onChange={setSignature} />
      </fieldset>

      <fieldset className="signer">
        <legend>Who received it</legend>
        <label>
          Relation to the patient
          <select value={relation} onChange={(e) => setRelation(e.target.value as SignerRelation | '')}>
            <option value="">Choose…</option>
            {SIGNER_RELATIONS.map((r) => (
              <option key={r} value={r}>
                {RELATION_NAMES[r]}
              </option>
            ))}
          </select>
        </label>
        <label>
          First name
          <input value={firstName} onChange={(e) => setFirstName(e.target.value)} autoComplete="off" maxLength={100} />
        </label>
        <label>
          Last name
          <input value={lastName} onChange={(e) => setLastName(e.target.value)} autoComplete="off" maxLength={100} />
        </label>
      </fieldset>

      <fieldset className="id-check">
        <legend>ID check{detail.flags.photo_id_required ? ' (required)' : ''}</legend>
        <label className="scan">
          Scan the licence (the large barcode on the back), or type below
          <textarea
            value={scan}
            rows={2}
            spellCheck={false}
            autoComplete="off"
            placeholder="Click here, then scan"
            onChange={(e) => setScan(e.target.value)}
          />
        </label>
        {scanned?.error && <p role="alert">{scanned.error}</p>}
        {scanned?.licence && (
          <p role="status" className={expired ? 'warning' : undefined}>
            Read {scanned.licence.document === 'id_card' ? 'ID card' : 'licence'} {scanned.licence.id_number} ({scanned.licence.jurisdiction ?? 'jurisdiction unknown'})
            {scanned.licence.expires_on ? `, expires ${scanned.licence.expires_on}` : ''}.
            {expired ? ' This ID has EXPIRED: ask for another.' : ''}
          </p>
        )}
        <label>
          ID type
          <select value={idType} onChange={(e) => setIdType(e.target.value as IdType | '')}>
            <option value="">Choose…</option>
            {ID_TYPES.map((t) => (
              <option key={t} value={t}>
                {ID_TYPE_NAMES[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Jurisdiction
          <input value={jurisdiction} onChange={(e) => setJurisdiction(e.target.value)} maxLength={10} autoComplete="off" />
        </label>
        <label>
          ID number
          <input value={idNumber} onChange={(e) => setIdNumber(e.target.value)} maxLength={40} autoComplete="off" />
        </label>
      </fieldset>

      {detail.amount_to_collect > 0 && (
        <fieldset className="collection">
          <legend>Payment collected (due ${detail.amount_to_collect.toFixed(2)})</legend>
          <label>
            Amount
            <input type="number" min={0} step="0.01" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </label>
          <label>
            Method
            <select value={method} onChange={(e) => setMethod(e.target.value as (typeof COLLECTION_METHODS)[number] | '')}>
              <option value="">Choose…</option>
              {COLLECTION_METHODS.map((m) => (
                <option key={m} value={m}>
                  {METHOD_NAMES[m]}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
      )}

      <label>
        Notes (optional)
        <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={1000} />
      </label>

      <div className="capture-actions">
        <button type="submit" disabled={busy}>
          Save delivery
        </button>
        <button type="button" onClick={onClose}>
          Back
        </button>
      </div>
    </form>
  );
}

/**
 * The signature pad, sharp on high-DPI screens: the canvas's pixel size follows its CSS size
 * times devicePixelRatio, and strokes are redrawn after a resize instead of being stretched.
 */
function SignatureField({ onChange }: { onChange: (pngBase64: string | undefined) => void }): JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const padRef = useRef<SignaturePad | undefined>(undefined);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const pad = new SignaturePad(canvas, { penColor: 'rgb(0, 0, 0)', backgroundColor: 'rgb(255, 255, 255)' });
    padRef.current = pad;
    const fit = () => {
      const ratio = Math.max(window.devicePixelRatio || 1, 1);
      const strokes = pad.toData();
      canvas.width = Math.round(canvas.offsetWidth * ratio);
      canvas.height = Math.round(canvas.offsetHeight * ratio);
      canvas.getContext('2d')?.scale(ratio, ratio);
      pad.clear();
      pad.fromData(strokes);
    };
    const observer = new ResizeObserver(fit);
    observer.observe(canvas);
    fit();
    const strokeEnded = () => onChange(pad.isEmpty() ? undefined : pad.toDataURL('image/png').replace(/^data:image\/png;base64,/, ''));
    pad.addEventListener('endStroke', strokeEnded);
    return () => {
      observer.disconnect();
      pad.removeEventListener('endStroke', strokeEnded);
      pad.off();
    };
  }, [onChange]);

  const clear = useCallback(() => {
    padRef.current?.clear();
    onChange(undefined);
  }, [onChange]);

  return (
    <div className="signature">
      <canvas ref={canvasRef} aria-label="Signature pad: sign with the mouse, pen or finger" role="img" />
      <button type="button" onClick={clear}>
        Clear signature
      </button>
    </div>
  );
}

function titleCase(name: string | null): string {
  return (name ?? '').toLowerCase().replace(/(^|[\s'-])\p{L}/gu, (m) => m.toUpperCase());
}
