import type { Migration } from './index';

// Partner-originated work (product spec, "Partners"; issue 8, Honeybee Health).
//
// orders.origin: who asked for the delivery. BestRx's orders ('bestrx') are the only ones BestRx
// hears status pushes for; an order Honeybee created on its own when an e-prescription reached it
// (its "Automatic Processing" workflow) is shown on the same board ('honeybee') but BestRx never
// heard of it, so nothing is pushed for it.
//
// partner_prescriptions: the "incoming prescriptions" inbox. Honeybee's RX_RECEIVED announces an
// e-prescription it took in without filling it ("Partner Requested Fills"); it waits here until
// staff match it to an order on the board and request the fill. Keyed by the partner's
// prescription id, so a re-delivered event adds nothing; the row stays after a fill because a
// refill reuses the same prescription id. How often it was filled is not stored: it is counted
// from the hand-overs that name it, so a hand-over that failed before reaching Honeybee does not count.
//
// partner_dispatches.attention: why the partner holds the order and what staff should do (Honeybee's
// On Hold, from ORDER_EXCEPTION), shown on the order until the partner moves on; tracking_url: the
// carrier's tracking page the partner gave.
//
// partner_patients: the partner's patient record (name, date of birth, email), fetched once per
// patient when its first prescription arrives, so matching works from the list without a call
// per row (Honeybee's webhooks carry no patient data: vendor-facts.md §1.8).
export const migration0006PartnerOriginatedWork: Migration = {
  version: 6,
  name: '0006-partner-originated-work',
  up(db) {
    db.exec(`
      ALTER TABLE orders ADD COLUMN origin TEXT NOT NULL DEFAULT 'bestrx' CHECK (origin IN ('bestrx', 'honeybee', 'united', 'caryrx'));
      ALTER TABLE partner_dispatches ADD COLUMN attention_json TEXT;
      ALTER TABLE partner_dispatches ADD COLUMN tracking_url TEXT;

      CREATE TABLE partner_prescriptions (
        partner            TEXT NOT NULL,
        prescription_id    TEXT NOT NULL,
        partner_patient_id TEXT NOT NULL,
        event_id           TEXT NOT NULL,     -- the event that announced it
        drug_name          TEXT NOT NULL,
        ndc                TEXT NOT NULL,
        sig_text           TEXT,
        written_qty        REAL,
        refills_left       INTEGER,
        expire_date        TEXT,
        drug_schedule      TEXT,
        prescriber_name    TEXT,
        received_at        TEXT NOT NULL,
        matched_order_id   TEXT REFERENCES orders (id),
        matched_by         TEXT,
        matched_at         TEXT,
        dismissed_at       TEXT,
        dismissed_by       TEXT,
        PRIMARY KEY (partner, prescription_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX partner_prescriptions_by_patient ON partner_prescriptions (partner, partner_patient_id);
      CREATE INDEX partner_prescriptions_by_order ON partner_prescriptions (matched_order_id) WHERE matched_order_id IS NOT NULL;

      CREATE TABLE partner_patients (
        partner            TEXT NOT NULL,
        partner_patient_id TEXT NOT NULL,
        first_name         TEXT,
        last_name          TEXT,
        dob                TEXT,
        email              TEXT,
        fetched_at         TEXT NOT NULL,
        PRIMARY KEY (partner, partner_patient_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
