// Incoming prescriptions (Honeybee's "Partner Requested Fills"): what staff see of each one, and
// the orders on the board it may be for. The partner's events carry no patient data, so the match
// rests on the partner's patient record fetched once per patient (name, date of birth, email),
// compared with BestRx's recipients; a patient matched before points at the same person again.
// BestRx sends no date of birth: staff compare the one shown here with the patient at the counter.
import type { IncomingPrescriptionView, PartnerName } from '../../../src-shared/app-api-contract';
import type { OrderStatus } from '../../../src-shared/order-status';
import { recipientDisplayName } from '../domain/order-content';
import type { SqliteDatabase } from '../storage/database';
import { isControlledSchedule } from './honeybee/honeybee-api';
import { findMatchCandidates, getPartnerPatient, type PartnerPatientRow, type PartnerPrescriptionRow } from '../storage/partners-repository';

const SUGGESTIONS_PER_PRESCRIPTION = 5;

export function incomingPrescriptionView(db: SqliteDatabase, row: PartnerPrescriptionRow): IncomingPrescriptionView {
  const patient = getPartnerPatient(db, row.partner, row.partner_patient_id);
  const state: IncomingPrescriptionView['state'] =
    row.dismissed_at !== null ? 'dismissed' : row.fills_requested > 0 ? 'filled' : row.matched_order_id !== null ? 'matched' : 'waiting';
  return {
    partner: row.partner,
    prescription_id: row.prescription_id,
    partner_patient_id: row.partner_patient_id,
    patient: patient ? { first_name: patient.first_name, last_name: patient.last_name, dob: patient.dob, email: patient.email } : null,
    drug_name: row.drug_name,
    ndc: row.ndc,
    sig_text: row.sig_text,
    written_qty: row.written_qty,
    refills_left: row.refills_left,
    expire_date: row.expire_date,
    controlled: isControlledSchedule(row.drug_schedule),
    prescriber_name: row.prescriber_name,
    received_at: row.received_at,
    state,
    matched_order_id: row.matched_order_id,
    fills_requested: row.fills_requested,
    suggestions: state === 'dismissed' ? [] : suggestionsFor(db, row.partner, row.partner_patient_id, patient),
  };
}

/** Best first: the same partner patient matched before, then the same email, then the same name. */
function suggestionsFor(db: SqliteDatabase, partner: PartnerName, partnerPatientId: string, patient: PartnerPatientRow | undefined): IncomingPrescriptionView['suggestions'] {
  const candidates = findMatchCandidates(db, {
    partner,
    partnerPatientId,
    email: patient?.email ?? null,
    firstName: patient?.first_name ?? null,
    lastName: patient?.last_name ?? null,
    limit: SUGGESTIONS_PER_PRESCRIPTION * 4,
  });
  const rank = { partner_patient: 0, email: 1, name: 2 } as const;
  return candidates
    .map((candidate) => {
      const reason: keyof typeof rank =
        candidate.same_patient === 1
          ? 'partner_patient'
          : patient?.email && candidate.email?.toLowerCase() === patient.email.toLowerCase()
            ? 'email'
            : 'name';
      return { order_id: candidate.order_id, recipient_name: recipientDisplayName(candidate), status: candidate.status as OrderStatus, reason };
    })
    .sort((a, b) => rank[a.reason] - rank[b.reason])
    .slice(0, SUGGESTIONS_PER_PRESCRIPTION);
}
