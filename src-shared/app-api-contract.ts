// The app API: one typed contract shared by the core (which implements it), the Electron
// preload (which exposes it over IPC), the headless HTTP server (POST /api/<method>) and the
// renderer (which calls it). Inputs are validated with these zod schemas on the main side of
// every transport; outputs are plain JSON described by the interfaces below.
import { z } from 'zod';
import { ORDER_STATUSES, TRANSITION_TARGETS, type OrderStatus } from './order-status';
import type { AppApiMethod } from './app-api-methods';
import { COLLECTION_METHODS } from './signer-codes';

export { APP_API_METHODS, IPC_CHANNELS, isAppApiMethod, type AppApiMethod } from './app-api-methods';

const providerOrderId = z.string().trim().min(1, 'id is required').max(64);

/** What can be printed for one order: the 4×6 shipping label, or the packing slip (BestRx's "manifesto"). */
export const PRINTABLE_DOCUMENTS = ['label', 'packing_slip'] as const;
export type PrintableDocument = (typeof PRINTABLE_DOCUMENTS)[number];
/** Image formats (BestRx's label_file_type table) and ZPL for Zebra-class printers (labels only). */
export const DOCUMENT_FORMATS = ['png', 'jpeg', 'gif', 'zpl'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];
export const PRINT_DPIS = [203, 300] as const;

const documentInput = z
  .object({
    id: providerOrderId,
    document: z.enum(PRINTABLE_DOCUMENTS),
    format: z.enum(DOCUMENT_FORMATS).default('png'),
    dpi: z.union([z.literal(PRINT_DPIS[0]), z.literal(PRINT_DPIS[1])]).default(203),
  })
  .strict()
  .refine((v) => v.format !== 'zpl' || v.document === 'label', { message: 'ZPL is available for the shipping label only', path: ['format'] });

export const ORDER_LIST_FILTERS = ['today', 'needs_attention', 'refrigerated', 'collect', 'ready_for_run'] as const;
export type OrderListFilterName = (typeof ORDER_LIST_FILTERS)[number];

/** The fulfilment partners an order can be dispatched to (product spec, `orders.dispatch`). */
export const PARTNER_NAMES = ['honeybee', 'united', 'caryrx'] as const;
export type PartnerName = (typeof PARTNER_NAMES)[number];
export const PARTNER_DISPLAY_NAMES: Record<PartnerName, string> = {
  honeybee: 'Honeybee Health',
  united: 'United Pharmacy',
  caryrx: 'CaryRx',
};

const partnerRef = z.string().trim().min(1).max(200);

export const STAFF_ROLES = ['counter', 'courier', 'admin'] as const;
export type StaffRoleName = (typeof STAFF_ROLES)[number];
const staffUsername = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{2,40}$/, 'username: 2 to 40 letters, digits, dots, dashes or underscores');

/** Identity documents a partner accepts (Honeybee's 42216): driver licence, passport, military ID, permanent resident card, state ID, tribal ID, other. */
export const IDENTITY_DOCUMENT_TYPES = ['DL', 'PP', 'MI', 'PR', 'SI', 'TI', 'OT'] as const;

/** What the partner needs that BestRx did not send (product spec, `orders.dispatch`). */
const dispatchDetails = z
  .object({
    patient_dob: z.iso.date('patient_dob: use YYYY-MM-DD').optional(),
    patient_email: z.email('patient_email: not an email address').max(254).optional(),
    patient_gender: z.enum(['M', 'F', 'U']).optional(),
    medication_id: partnerRef.optional(),
    pharmacy_id: partnerRef.optional(),
    prescription_ids: z.array(partnerRef).min(1).max(50).optional(),
    shipping_method: z.string().trim().min(1).max(100).optional(),
    /** United: the quantity to dispense (1–1000) and days supply (1–365). */
    dispense_quantity: z.number().int().optional(),
    days_supply: z.number().int().optional(),
    /** Notes for the partner's pharmacist. */
    clinical_notes: z.string().trim().max(2048).optional(),
    /** CaryRx: fill at CaryRx's central fill pharmacy. */
    central_fill: z.boolean().optional(),
    /**
     * Honeybee: how much of each prescription to fill, as packs (`quantity`) of `package_size`
     * units (one bottle of 20 tablets: 1 × 20). Without it, one pack of the written quantity.
     */
    fill_items: z
      .array(
        z
          .object({
            prescription_id: partnerRef,
            quantity: z.number().int().min(1, 'quantity: at least one pack').max(100),
            package_size: z.number().int().min(1, 'package_size: at least one unit per pack').max(10_000),
          })
          .strict(),
      )
      .min(1)
      .max(50)
      .optional(),
    /** Honeybee: ship to the address on the e-prescription instead of the order's delivery address. */
    ship_to_prescription_address: z.boolean().optional(),
    /** Honeybee: take the address validator's corrected address. */
    address_accept_suggested: z.boolean().optional(),
    /** Honeybee: ship to this address even though the validator warns about it. */
    address_ignore_warnings: z.boolean().optional(),
    /** Honeybee: the patient's ID document, which a controlled substance (schedule II–V) needs. */
    identity_document: z
      .object({
        document_type: z.enum(IDENTITY_DOCUMENT_TYPES),
        issuing_country: z.string().trim().regex(/^[A-Za-z]{2}$/, 'identity_document.issuing_country: two letters, e.g. US').default('US'),
        issuing_state: z.string().trim().regex(/^[A-Za-z]{2}$/, 'identity_document.issuing_state: two letters, e.g. TX').optional(),
        document_number: z.string().trim().min(1, 'identity_document.document_number is required').max(50),
        expiration_date: z.iso.date('identity_document.expiration_date: use YYYY-MM-DD'),
      })
      .strict()
      .optional(),
  })
  .strict();

const postalAddressInput = z
  .object({
    address_line_1: z.string().trim().min(1, 'address_line_1 is required').max(200),
    address_line_2: z.string().trim().max(200).nullable().optional(),
    city: z.string().trim().min(1, 'city is required').max(100),
    state: z.string().trim().regex(/^[A-Za-z]{2}$/, 'state: two letters, e.g. IL'),
    zip_code: z.string().trim().regex(/^\d{5}(-\d{4})?$/, 'zip_code: 5 digits or ZIP+4'),
  })
  .strict();

/** CaryRx issues an API key per environment (vendor-facts §4.2). */
export const CARYRX_ENVIRONMENTS = ['development', 'uat', 'production'] as const;

export const STATUS_PUSH_STATES = ['pending', 'delivered', 'dead', 'skipped'] as const;
export type StatusPushState = (typeof STATUS_PUSH_STATES)[number];

const signerInput = z
  .object({
    /** A relation name (`spouse`) or the BestRx relation code (`3`). */
    relation: z.union([z.string().trim().min(1).max(40), z.number().int()]),
    first_name: z.string().trim().min(1, 'first_name is required').max(100),
    last_name: z.string().trim().min(1, 'last_name is required').max(100),
    jurisdiction: z.string().trim().max(10).optional(),
    /** An ID type name (`drivers_license`) or the BestRx ID type code (`6`). */
    id_type: z.union([z.string().trim().min(1).max(40), z.number().int()]).optional(),
    id_no: z.string().trim().max(40).optional(),
  })
  .strict();

const proofInput = z
  .object({
    // ~512 KiB of PNG; a signature pad image is a few tens of KiB.
    signature_png_base64: z.string().max(700_000).optional(),
    signer: signerInput.optional(),
    consents: z
      .array(
        z
          .object({
            consent_type: z.union([z.string().max(100), z.number(), z.boolean()]),
            response: z.string().trim().min(1, 'response is required').max(200),
          })
          .strict(),
      )
      .max(100)
      .optional(),
    collected: z
      .object({
        amount: z.number().nonnegative().max(1_000_000),
        method: z.enum(COLLECTION_METHODS),
      })
      .strict()
      .optional(),
  })
  .strict();

export const appApiInputSchemas = {
  'app.info': z.object({}).strict(),
  'settings.bestrxConnection': z.object({}).strict(),
  'orders.list': z
    .object({
      status: z.enum(ORDER_STATUSES).optional(),
      /** All must hold: due or received today, needs attention, refrigerated, payment to collect. */
      filters: z.array(z.enum(ORDER_LIST_FILTERS)).max(ORDER_LIST_FILTERS.length).optional(),
      q: z.string().trim().max(200).optional(),
      limit: z.number().int().min(1).max(1000).default(100),
      offset: z.number().int().min(0).default(0),
    })
    .strict(),
  'orders.get': z.object({ id: providerOrderId }).strict(),
  'orders.transition': z
    .object({
      id: providerOrderId,
      to: z.enum(TRANSITION_TARGETS),
      notes: z.string().trim().max(1000).optional(),
      proof: proofInput.optional(),
      /** When it happened at the door (ISO 8601); defaults to now. */
      captured_at: z.iso.datetime({ offset: true }).optional(),
    })
    .strict(),
  'outbox.list': z
    .object({
      state: z.enum(STATUS_PUSH_STATES).optional(),
      order_id: providerOrderId.optional(),
      limit: z.number().int().min(1).max(1000).default(100),
      offset: z.number().int().min(0).default(0),
    })
    .strict(),
  'outbox.retry': z.object({ id: z.number().int().positive() }).strict(),
  'outbox.skip': z.object({ id: z.number().int().positive() }).strict(),
  /** A preview: renders the document, records nothing. */
  'documents.render': documentInput,
  /**
   * Prints a label or slip: on the named printer (or the system default) where the app can print
   * directly (Electron); otherwise the value tells the renderer to print it itself (a browser
   * print dialog in headless mode). Either way the print is recorded as an order event.
   */
  'documents.print': z
    .object({
      id: providerOrderId,
      document: z.enum(PRINTABLE_DOCUMENTS),
      printer: z.string().trim().min(1).max(200).optional(),
      copies: z.number().int().min(1).max(20).default(1),
    })
    .strict(),
  /** The courier's run sheet (PDF) for a set of orders, stops in the order given. */
  'documents.runSheet': z
    .object({
      order_ids: z.array(providerOrderId).min(1, 'choose at least one order').max(200),
      name: z.string().trim().min(1).max(100).optional(),
      courier: z.string().trim().min(1).max(100).optional(),
      date: z.iso.date().optional(),
    })
    .strict()
    .refine((v) => new Set(v.order_ids).size === v.order_ids.length, { message: 'an order appears twice', path: ['order_ids'] }),
  'printers.list': z.object({}).strict(),
  /** A courier's run: orders not yet picked up, in driving order. */
  'runs.create': z
    .object({
      courier: z.string().trim().min(1, 'courier is required').max(100),
      name: z.string().trim().min(1).max(100).optional(),
      order_ids: z.array(providerOrderId).min(1, 'choose at least one order').max(200),
    })
    .strict()
    .refine((v) => new Set(v.order_ids).size === v.order_ids.length, { message: 'an order appears twice', path: ['order_ids'] }),
  'runs.list': z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict(),
  /** Moves every order of the run on (picked up, then out for delivery); reports each one that could not move. */
  'runs.advance': z.object({ id: z.string().trim().min(1).max(64), to: z.enum(['picked_up', 'out_for_delivery']) }).strict(),
  /** Sandbox mode: make the BestRx simulator fail the next status pushes, to see how RxRelay copes. */
  'sandbox.bestrxFault': z
    .object({
      kind: z.enum(['http-500', 'http-503', 'http-429', 'http-400', 'drop', 'not-updated']),
      times: z.number().int().min(1).max(1000).default(1),
      order_id: providerOrderId.optional(),
      /** For http-429 (required) and http-503 (optional). */
      retry_after_seconds: z.number().int().min(0).max(86_400).optional(),
    })
    .strict()
    .refine((v) => v.kind !== 'http-429' || v.retry_after_seconds !== undefined, { message: 'http-429 needs retry_after_seconds', path: ['retry_after_seconds'] }),
  /** Sandbox mode: the UpdateOrderStatus pushes the BestRx simulator accepted (what BestRx "saw"). */
  'sandbox.bestrxReceived': z.object({ order_id: providerOrderId.optional() }).strict(),
  'settings.get': z.object({}).strict(),
  /** A new generated BestRx password (refused when the credentials come from the environment). */
  'settings.regenerateBestrxCredentials': z.object({}).strict(),
  /** The code tables in use (BestRx's numbers for statuses, relations, ID types, ...). */
  'settings.codeTables': z.object({}).strict(),
  'settings.update': z
    .object({
      /** Send the label and packing slip images inline in CreateOrder's answer (label_image, manifesto_image). */
      inline_label_images: z.boolean().optional(),
      /** The image format of label_url/manifesto_url and the inline images (BestRx's label_file_type). */
      label_image_format: z.enum(['png', 'jpeg', 'gif']).optional(),
      /** ID scanning by camera: the Electron app lets its page use the camera (video only). */
      id_scan_by_camera: z.boolean().optional(),
    })
    .strict(),
  /**
   * Replaces the Settings overrides of BestRx's code tables (`{}` restores the defaults). Each
   * table: `status`, `relation`, `idType` map a name to `{ code, description }`; `messageType` and
   * `labelFileType` map a name to a number. Two names may not share a code.
   */
  'settings.updateCodeTables': z
    .object({ overrides: z.record(z.string(), z.record(z.string(), z.unknown())) })
    .strict(),
  /** Hands an order not yet picked up to a fulfilment partner instead of the in-house courier. */
  'orders.dispatch': z.object({ id: providerOrderId, partner: z.enum(PARTNER_NAMES), details: dispatchDetails.optional() }).strict(),
  /** Per partner: mode, connected, last sync, last error. */
  'partners.status': z.object({}).strict(),
  /** Try a partner again now: closes its circuit breaker, forgets its backoff, polls its open orders. */
  'partners.syncNow': z.object({ partner: z.enum(PARTNER_NAMES) }).strict(),
  /** The partner's pharmacies an order can be routed to (United). */
  'partners.pharmacies': z.object({ partner: z.enum(PARTNER_NAMES) }).strict(),
  /** One page of a pharmacy's medication catalog with real-time prices (United: 25 per page). */
  'partners.medications': z
    .object({ partner: z.enum(PARTNER_NAMES), pharmacy_id: partnerRef, page: z.number().int().min(1).max(10_000).default(1) })
    .strict(),
  /**
   * Connects a partner: `sandbox` points it at the local simulator; `live` at the partner's API
   * with the credentials given (secrets are stored encrypted and never shown again).
   */
  'partners.configure': z
    .object({
      partner: z.enum(PARTNER_NAMES),
      mode: z.enum(['sandbox', 'live']),
      /** United: the tenant-scoped base URL, https://…/pharmacy/{tenant}/api/v1. */
      base_url: z.url({ protocol: /^https?$/, error: 'base_url must be an http(s) URL' }).max(500).optional(),
      /** United: the one-time setup token (RxRelay creates its API credentials with it). */
      setup_token: z.string().trim().min(1).max(2000).optional(),
      client_id: z.string().trim().min(1).max(500).optional(),
      client_secret: z.string().trim().min(1).max(2000).optional(),
      /** United: its webhook secret; Honeybee: the X-Honeybee-Secret set in its dashboard. */
      webhook_secret: z.string().trim().min(1).max(2000).optional(),
      /** Honeybee: the client secret of its event-signing credentials (X-Honeybee-Signature). */
      signing_secret: z.string().trim().min(1).max(2000).optional(),
      /** Honeybee: its token server (default https://auth.honeybeehealth.com/oauth/token). */
      token_url: z.url({ protocol: /^https?$/, error: 'token_url must be an http(s) URL' }).max(500).optional(),
      /** Where partners can reach this RxRelay's /webhooks/<partner> (e.g. a tunnel); polling works without it. */
      webhook_base_url: z.url({ protocol: /^https?$/, error: 'webhook_base_url must be an http(s) URL' }).max(500).nullable().optional(),
      /** CaryRx: which of its environments, and that environment's API key. */
      environment: z.enum(CARYRX_ENVIRONMENTS).optional(),
      api_key: z.string().trim().min(1).max(500).optional(),
    })
    .strict(),
  /** CaryRx (live): the patient's prescriptions at CaryRx, for staff to pick which to send (e-Rx arrive there on their own). */
  'partners.patientPrescriptions': z
    .object({
      partner: z.enum(PARTNER_NAMES),
      id: providerOrderId,
      patient_email: z.email('patient_email: not an email address').max(254),
    })
    .strict(),
  /** Creates new API credentials, switches to them, then revokes the old ones (zero downtime). */
  'partners.rotateCredentials': z.object({ partner: z.enum(PARTNER_NAMES) }).strict(),
  /** Sandbox mode: make a partner simulator's order move on, fail, be cancelled, or be held (Honeybee's On Hold) now. */
  'sandbox.partnerOrder': z
    .object({ partner: z.enum(PARTNER_NAMES), id: providerOrderId, action: z.enum(['advance', 'fail', 'cancel', 'hold']) })
    .strict(),
  /** Prescriptions a partner took in without filling them (Honeybee's RX_RECEIVED), with the orders they may belong to. */
  'partners.incomingPrescriptions': z
    .object({ partner: z.enum(PARTNER_NAMES), include_done: z.boolean().default(false) })
    .strict(),
  /** Staff say which order (its patient) an incoming prescription is for; `order_id: null` undoes it. */
  'partners.matchPrescription': z
    .object({ partner: z.enum(PARTNER_NAMES), prescription_id: partnerRef, order_id: providerOrderId.nullable() })
    .strict(),
  /** Staff set an incoming prescription aside (not ours to fill); it leaves the waiting list. */
  'partners.dismissPrescription': z.object({ partner: z.enum(PARTNER_NAMES), prescription_id: partnerRef }).strict(),
  /** Replaces the shipping address of the order at the partner (Honeybee, before it ships). */
  'partners.changeShippingAddress': z
    .object({
      id: providerOrderId,
      address: postalAddressInput,
      accept_suggested: z.boolean().default(false),
      ignore_warnings: z.boolean().default(false),
    })
    .strict(),
  /** Asks the partner to ship a previously shipped order again (Honeybee's reorder); the new order joins the board. */
  'partners.reorder': z.object({ id: providerOrderId }).strict(),
  /**
   * Sandbox mode: an e-prescription reaches the partner's simulator for the patient of `order_id`
   * (or a made-up patient): `requested` waits in incoming prescriptions, `automatic` becomes an order by itself.
   */
  'sandbox.partnerPrescription': z
    .object({ partner: z.enum(PARTNER_NAMES), order_id: providerOrderId.optional(), workflow: z.enum(['requested', 'automatic']) })
    .strict(),
  /** Who is signed in at this desk, whether it is locked, whether accounts exist at all. */
  'auth.status': z.object({}).strict(),
  'auth.login': z.object({ username: staffUsername, secret: z.string().min(1, 'secret is required').max(200) }).strict(),
  /** The person the desk locked on comes back with their PIN or password. */
  'auth.unlock': z.object({ secret: z.string().min(1, 'secret is required').max(200) }).strict(),
  'auth.logout': z.object({}).strict(),
  /** Lock the desk now (stepping away). */
  'auth.lock': z.object({}).strict(),
  'staff.list': z.object({}).strict(),
  /** A new staff account; the first one must be an administrator. */
  'staff.create': z
    .object({
      username: staffUsername,
      display_name: z.string().trim().min(1, 'display_name is required').max(80),
      role: z.enum(STAFF_ROLES),
      secret_kind: z.enum(['pin', 'password']),
      secret: z.string().min(1, 'secret is required').max(200),
    })
    .strict(),
  /** Change a staff account: name, role, PIN/password, disable, or lift a lock-out (`unlock`). */
  'staff.update': z
    .object({
      id: z.string().trim().min(1).max(64),
      display_name: z.string().trim().min(1).max(80).optional(),
      role: z.enum(STAFF_ROLES).optional(),
      secret_kind: z.enum(['pin', 'password']).optional(),
      secret: z.string().min(1).max(200).optional(),
      disabled: z.boolean().optional(),
      unlock: z.literal(true).optional(),
    })
    .strict(),
  /** The idle lock in minutes (1–15; HIPAA automatic logoff). */
  'staff.setIdleLock': z.object({ minutes: z.number().int().min(1, 'minutes: at least 1').max(15, 'minutes: at most 15') }).strict(),
  /** The audit log, newest first; by subject (an order id) or actor. */
  'audit.list': z
    .object({
      subject: z.string().trim().min(1).max(100).optional(),
      actor: z.string().trim().min(1).max(100).optional(),
      limit: z.number().int().min(1).max(500).default(100),
      before_seq: z.number().int().min(1).optional(),
    })
    .strict(),
  /** Recomputes the hash chain: a changed or removed row is reported. */
  'audit.verify': z.object({}).strict(),
  /** The whole log as CSV, with each row's hash. */
  'audit.export': z.object({}).strict(),
  /** The database's backups in `<data-dir>/backups`, newest first, and the schedule. */
  'backups.list': z.object({}).strict(),
  /** A backup now (online: the app keeps serving); fails with a message when it could not be made. */
  'backups.run': z.object({}).strict(),
  /** A support bundle (JSON, base64): versions, configuration without secrets, row counts, health, recent log lines; no patient data. */
  'diagnostics.export': z.object({}).strict(),
} as const satisfies Record<AppApiMethod, z.ZodType>;

export type AppApiInput<M extends AppApiMethod> = z.input<(typeof appApiInputSchemas)[M]>;
export type AppApiParsedInput<M extends AppApiMethod> = z.output<(typeof appApiInputSchemas)[M]>;
export type TransitionProof = z.output<typeof proofInput>;

// ---- outputs ---------------------------------------------------------------------------

export interface AppInfo {
  version: string;
  mode: 'headless' | 'electron';
  sandbox: boolean;
  device_id: string;
  bestrx_endpoint_url: string;
  /** Where status updates go: the sandbox's BestRx simulator, a live BestRx, or nowhere yet. */
  status_target: 'sandbox' | 'live' | 'none';
}

export interface BestRxConnection {
  endpoint_url: string;
  username: string;
  password: string;
  /** Where the credentials come from: environment variables, or generated and stored at first run. */
  source: 'environment' | 'generated';
}

export interface PostalAddressView {
  address_line_1: string;
  address_line_2: string | null;
  city: string;
  state: string;
  zip_code: string;
}

export interface OrderFlags {
  refrigeration_needed: boolean;
  signature_required: boolean;
  photo_id_required: boolean;
}

export interface OrderSummary {
  id: string;
  tracking_id: string;
  bestrx_order_id: number;
  bestrx_unique_order_id: number;
  status: OrderStatus;
  recipient_name: string;
  address: PostalAddressView;
  total_amount: number;
  amount_to_collect: number;
  flags: OrderFlags;
  requested_delivery_date: string | null;
  return_requested: boolean;
  /** The courier run the order is on, if any. */
  run_id: string | null;
  /** The order's latest hand-over to a fulfilment partner, if any. */
  partner: { partner: PartnerName; state: DispatchState } | null;
  /** Who asked for the delivery: BestRx, or a partner on its own (Honeybee's Automatic Processing: no pushes to BestRx). */
  origin: 'bestrx' | PartnerName;
  created_at: string;
  updated_at: string;
}

export type OrderEventType = 'created' | 'status_changed' | 'amended' | 'return_requested' | 'label_printed' | 'partner_dispatched' | 'partner_update';

export interface OrderEventView {
  event_id: string;
  type: OrderEventType;
  from_status: OrderStatus | null;
  to_status: OrderStatus | null;
  actor: string;
  device_id: string;
  captured_at: string;
  recorded_at: string;
  notes: string | null;
  proof: unknown;
}

export interface OrderDetail extends OrderSummary {
  bestrx_pharmacy_id: string;
  status_code: string;
  status_description: string;
  pickup_date: string | null;
  service_level: string | null;
  delivery_notes: string | null;
  prescription_amount: number;
  otc_amount: number;
  tax_amount: number;
  declared_amount: number;
  package: { height: string | null; width: string | null; length: string | null; weight: string | null };
  store: {
    bestrx_pharmacy_id: string;
    delivery_provider_acct_no: string | null;
    name: string | null;
    address: PostalAddressView | null;
    phone: string | null;
    fax: string | null;
    email: string | null;
    ncpdp: string | null;
    npi: string | null;
    dea: string | null;
  };
  recipient: {
    entity_name: string | null;
    first_name: string | null;
    middle_name: string | null;
    last_name: string | null;
    address: PostalAddressView;
    home_phone: string | null;
    work_phone: string | null;
    mobile_phone: string | null;
    fax: string | null;
    email: string | null;
  };
  customers: Array<{
    customer_unique_id: number | null;
    first_name: string | null;
    middle_name: string | null;
    last_name: string | null;
    address: PostalAddressView | null;
  }>;
  prescriptions: Array<{
    customer_unique_id: number | null;
    rx_number: string;
    fill_date: string | null;
    amount_due: number | null;
    partial_fill_seqno: number | null;
  }>;
  otc_items: Array<{
    customer_unique_id: number | null;
    upc: string | null;
    item_description: string | null;
    quantity: number | null;
    amount_due: number | null;
  }>;
  consents: Array<{
    consent_header: string | null;
    consent_text: string | null;
    consent_inputs: string[];
    /** Exactly as BestRx sent it (string or number): echoed back in status pushes. */
    consent_type: string | number | boolean | null;
  }>;
  events: OrderEventView[];
  allowed_transitions: OrderStatus[];
  /** Every UpdateOrderStatus push for this order and how it went. */
  pushes: StatusPushView[];
  /** The order's hand-over to a fulfilment partner (the latest one), if it was dispatched. */
  partner: PartnerDispatchView | null;
}

export const DISPATCH_STATES = ['dispatching', 'open', 'finished', 'failed'] as const;
export type DispatchState = (typeof DISPATCH_STATES)[number];

/** An order's hand-over to a partner and how far the partner has taken it. */
export interface PartnerDispatchView {
  id: string;
  partner: PartnerName;
  partner_name: string;
  /** dispatching: creating what the partner needs; open: the partner has the order; finished:
   * the partner is done with it; failed: the hand-over or the partner failed (staff take it back). */
  state: DispatchState;
  /** The step being worked on while dispatching ("patient", "order"). */
  step: string | null;
  /** The partner's ids (patient, order, ...). */
  refs: Record<string, string>;
  partner_status: string | null;
  carrier: string | null;
  tracking: string | null;
  tracking_url: string | null;
  /** The partner holds the order and needs staff (Honeybee's On Hold): why, and what to do. */
  attention: PartnerAttention | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  created_by: string;
  updated_at: string;
}

export interface PartnerAttention {
  /** Why, in plain words ("The delivery address is missing a unit or apartment number."). */
  reason: string;
  /** What staff should do about it. */
  action: string;
  /** The fix is a new shipping address (`partners.changeShippingAddress`). */
  can_change_address: boolean;
}

/** A prescription a partner took in, waiting for staff to match it and request the fill (Honeybee's RX_RECEIVED). */
export interface IncomingPrescriptionView {
  partner: PartnerName;
  prescription_id: string;
  partner_patient_id: string;
  /** The partner's patient record, when it could be fetched (events carry no patient data). */
  patient: { first_name: string | null; last_name: string | null; dob: string | null; email: string | null } | null;
  drug_name: string;
  ndc: string;
  sig_text: string | null;
  written_qty: number | null;
  refills_left: number | null;
  expire_date: string | null;
  /** A controlled substance (DEA schedule 2–5): the partner needs the patient's ID document. */
  controlled: boolean;
  prescriber_name: string | null;
  received_at: string;
  /** waiting: not matched; matched: staff chose the order; filled: a fill was requested (a refill can be requested again); dismissed: set aside. */
  state: 'waiting' | 'matched' | 'filled' | 'dismissed';
  matched_order_id: string | null;
  fills_requested: number;
  /** Orders on the board this prescription may be for, best first, each with why. */
  suggestions: Array<{ order_id: string; recipient_name: string; status: OrderStatus; reason: 'partner_patient' | 'email' | 'name' }>;
}

export interface PartnerStatusView {
  partner: PartnerName;
  name: string;
  mode: 'sandbox' | 'live';
  /** The last call to the partner worked. */
  connected: boolean;
  /** When RxRelay last heard from the partner successfully. */
  last_sync: string | null;
  /** The last failure, in plain words; null once a call works again. */
  last_error: string | null;
  /** closed: calls go through; open: the partner failed repeatedly and is left alone until next_try_at. */
  circuit: 'closed' | 'open' | 'half_open';
  next_try_at: string | null;
  /** Orders with this partner not yet finished. */
  open_orders: number;
  /** Hand-overs that failed and wait for staff. */
  failed_dispatches: number;
  /** Live: where calls go (no credentials); sandbox: the simulator. */
  base_url: string;
  /** Whether live credentials are stored (never the credentials themselves). */
  credentials_stored: boolean;
  webhook_url: string | null;
  /** CaryRx: the environment its API key belongs to. */
  environment: string | null;
  /** What this partner needs at dispatch, beyond the order: the form asks for these. */
  dispatch_fields: DispatchField[];
}

/** A detail a partner needs at dispatch (`orders.dispatch` details); the form shows these. */
export type DispatchField =
  | 'patient_dob'
  | 'patient_email'
  | 'patient_gender'
  | 'pharmacy_id'
  | 'medication_id'
  | 'dispense_quantity'
  | 'days_supply'
  | 'clinical_notes'
  | 'shipping_method'
  | 'central_fill'
  | 'prescription_ids'
  | 'fill_items'
  | 'address_options'
  | 'identity_document';

/** One status push to BestRx (UpdateOrderStatus) in the outbox. */
export interface StatusPushView {
  id: number;
  order_id: string;
  event_id: string;
  status: OrderStatus;
  /** BestRx's code and description as sent. */
  status_code: string;
  status_description: string;
  state: StatusPushState;
  attempts: number;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
  last_http_status: number | null;
  created_at: string;
  finished_at: string | null;
  finished_by: string | null;
  /** An earlier push of the same order that must go (or be skipped) first. */
  held_back_by: number | null;
}

export interface OutboxOverview {
  pushes: StatusPushView[];
  total: number;
  counts: Record<StatusPushState, number>;
  /** Where pushes go; null when no UpdateOrderStatus URL is configured (pushes wait). */
  target_url: string | null;
}

/** A rendered label, packing slip or run sheet. */
export interface RenderedDocument {
  filename: string;
  mime_type: string;
  data_base64: string;
}

export interface PrintOutcome {
  /** 'app': sent to a printer by the app; 'renderer': the caller prints `document` itself. */
  printed_by: 'app' | 'renderer';
  printer: string | null;
  document: RenderedDocument;
  /** Which print of this document this was for the order (1 = first; more = re-print). */
  copy_number: number;
}

export interface CourierRunView {
  id: string;
  name: string;
  courier: string;
  run_date: string;
  created_at: string;
  created_by: string;
  stops: OrderSummary[];
}

export interface PrinterInfo {
  name: string;
  display_name: string;
  is_default: boolean;
}

export interface AppSettings {
  inline_label_images: boolean;
  label_image_format: 'png' | 'jpeg' | 'gif';
  /** ID scanning by camera: off, the Electron app grants no page the camera. */
  id_scan_by_camera: boolean;
}

/** One backup of the database (`<data-dir>/backups/<file_name>`). */
export interface BackupView {
  file_name: string;
  /** When it was taken (UTC). */
  created_at: string;
  size_bytes: number;
  /** It passed SQLite's quick_check when it was made and has not changed size since. */
  verified: boolean;
  schema_version: number | null;
}

export interface BackupsOverview {
  backups: BackupView[];
  /** The folder they are in. */
  directory: string;
  /** Hours between automatic backups; 0: automatic backups are off. */
  interval_hours: number;
  /** How many are kept. */
  keep: number;
  next_at: string | null;
  /** A backup is being made right now. */
  running: boolean;
  /** The last attempt failed (cleared by the next one that works): show it. */
  last_failure: { at: string; message: string } | null;
}

export interface AppApiOutputs {
  'app.info': AppInfo;
  'settings.bestrxConnection': BestRxConnection;
  'orders.list': { orders: OrderSummary[]; total: number };
  'orders.get': OrderDetail;
  'orders.transition': OrderDetail;
  'outbox.list': OutboxOverview;
  'outbox.retry': StatusPushView;
  'outbox.skip': StatusPushView;
  'documents.render': RenderedDocument;
  'documents.print': PrintOutcome;
  'documents.runSheet': RenderedDocument;
  'printers.list': { printers: PrinterInfo[]; prints_directly: boolean };
  'runs.create': CourierRunView;
  'runs.list': { runs: CourierRunView[] };
  'runs.advance': { run: CourierRunView; moved: string[]; refused: Array<{ id: string; reasons: string[] }> };
  'sandbox.bestrxReceived': { pushes: Array<{ received_at: string; payload: unknown }> };
  'sandbox.bestrxFault': { queued: number };
  'settings.get': AppSettings;
  'settings.regenerateBestrxCredentials': BestRxConnection;
  'settings.codeTables': Record<string, Record<string, unknown>>;
  'settings.update': AppSettings;
  'settings.updateCodeTables': Record<string, Record<string, unknown>>;
  'orders.dispatch': OrderDetail;
  'partners.status': { partners: PartnerStatusView[] };
  'partners.syncNow': PartnerStatusView;
  'partners.pharmacies': { pharmacies: Array<{ id: string; name: string; status: string }> };
  'partners.medications': {
    medications: Array<{ medication_id: string; name: string; strength: string | null; form: string | null; formulation: string | null; price: string; type: string | null }>;
    page: number;
    total_pages: number;
    total: number;
    /** When these prices were fetched from the partner (cached for a few minutes). */
    fetched_at: string;
  };
  'partners.configure': PartnerStatusView;
  'partners.rotateCredentials': { partner: PartnerName; old_client_id: string | null; new_client_id: string };
  'sandbox.partnerOrder': { partner_status: string };
  'partners.incomingPrescriptions': { prescriptions: IncomingPrescriptionView[] };
  'partners.matchPrescription': IncomingPrescriptionView;
  'partners.dismissPrescription': IncomingPrescriptionView;
  'partners.changeShippingAddress': OrderDetail;
  'partners.reorder': OrderDetail;
  'sandbox.partnerPrescription': { partner_patient_id: string; prescription_ids: string[]; partner_order_ref: string | null };
  'auth.status': AuthStatus;
  'auth.login': AuthStatus;
  'auth.unlock': AuthStatus;
  'auth.logout': AuthStatus;
  'auth.lock': AuthStatus;
  'staff.list': { users: StaffUserView[] };
  'staff.create': StaffUserView;
  'staff.update': StaffUserView;
  'staff.setIdleLock': AuthStatus;
  'audit.list': { entries: AuditEntryView[]; total: number };
  'audit.verify': AuditVerification;
  'audit.export': RenderedDocument;
  'partners.patientPrescriptions': {
    /** False when the partner has no patient with this name and email yet. */
    patient_found: boolean;
    prescriptions: Array<{ id: string; medication_name: string; status: string; rx_number: string | null; refills_remaining: number | null }>;
  };
  'backups.list': BackupsOverview;
  'backups.run': BackupView;
  /** `rxrelay-diagnostics-<time>.json` */
  'diagnostics.export': RenderedDocument;
}

export type AppApiOutput<M extends AppApiMethod> = AppApiOutputs[M];

export interface AuthStatus {
  /** False until the first staff account is created: the app is open to anyone at the desk. */
  accounts_exist: boolean;
  /** Who is signed in at this desk. */
  user: { username: string; display_name: string; role: StaffRoleName; secret_kind: 'pin' | 'password' } | null;
  /** The desk is locked (idle, or locked by hand): the user must enter their PIN or password. */
  locked: boolean;
  idle_lock_minutes: number;
}

export interface StaffUserView {
  id: string;
  username: string;
  display_name: string;
  role: StaffRoleName;
  secret_kind: 'pin' | 'password';
  disabled: boolean;
  /** Locked after repeated wrong attempts, until then. */
  locked_out_until: string | null;
  created_at: string;
  created_by: string;
}

export interface AuditEntryView {
  seq: number;
  at: string;
  actor: string;
  action: string;
  category: 'read' | 'change' | 'export' | 'print' | 'access';
  subject: string | null;
  details: Record<string, unknown> | null;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  rows: number;
  first_bad_seq: number | null;
  problems: string[];
}

// ---- replies ---------------------------------------------------------------------------

export const APP_API_ERROR_CODES = [
  'invalid_input',
  'unknown_method',
  'unauthorized',
  /** The desk locked (idle or by hand), or the account is locked out: enter the PIN or password. */
  'locked',
  /** Signed in, but this role may not do that. */
  'forbidden',
  'not_found',
  'partner_unavailable',
  'conflict',
  'transition_refused',
  'internal',
] as const;
export type AppApiErrorCode = (typeof APP_API_ERROR_CODES)[number];

export interface AppApiError {
  code: AppApiErrorCode;
  message: string;
  /** Field-level or rule-level problems, each in plain words. */
  details?: string[];
}

export type AppApiReply<T> = { ok: true; value: T } | { ok: false; error: AppApiError };

/** Live changes pushed to the renderer (server-sent events in headless mode, IPC in Electron). */
export type AppEvent =
  | { type: 'order.changed'; order_id: string; status: OrderStatus }
  | { type: 'order.created'; order_id: string; status: OrderStatus }
  /** A push to BestRx was given up: staff should retry or skip it. */
  | { type: 'outbox.dead'; push_id: number; order_id: string; error: string }
  /** Pushes changed state (coalesced: at most about once a second). */
  | { type: 'outbox.changed' }
  /** A partner connection's health changed (connected, failing, circuit opened). */
  | { type: 'partners.changed'; partner: PartnerName }
  /** A backup was made (ok) or failed (`backups.list` has why). */
  | { type: 'backups.changed'; ok: boolean };
