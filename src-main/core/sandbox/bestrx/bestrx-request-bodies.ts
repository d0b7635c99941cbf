// The three request bodies BestRx sends a delivery provider, as BestRx writes them (field
// lists: ../shared/seeds/bestrx-dispensing-service.txt). These types describe the wire, not
// RxRelay's parsed content: flags may be "true"/"false" strings, ids and codes numbers or
// strings, optional values null, exactly as BestRx's own examples do.

/** BestRx's booleans: its examples send them as strings. */
export type BestRxFlag = boolean | 'true' | 'false';

export interface BestRxAddressBody {
  address_line_1: string;
  address_line_2?: string | null;
  city: string;
  state: string;
  zip_code: string;
}

export interface BestRxStoreBody {
  bestrx_pharmacy_id: string;
  delivery_provider_acct_no?: string | null;
  name?: string | null;
  address?: BestRxAddressBody | null;
  phone?: string | null;
  fax?: string | null;
  email?: string | null;
  ncpdp?: number | string | null;
  npi?: string | null;
  dea?: string | null;
}

export interface BestRxRecipientBody {
  entity_name?: string | null;
  last_name?: string | null;
  first_name?: string | null;
  middle_name?: string | null;
  address: BestRxAddressBody;
  home_phone?: string | null;
  work_phone?: string | null;
  mobile_phone?: string | null;
  fax?: string | null;
  email?: string | null;
}

export interface BestRxCustomerBody {
  customer_unique_id: number | string;
  last_name?: string | null;
  first_name?: string | null;
  middle_name?: string | null;
  address?: BestRxAddressBody | null;
}

export interface BestRxPrescriptionBody {
  customer_unique_id?: number | string | null;
  rx_number: number | string;
  fill_date?: string | null;
  amount_due?: number | null;
  partial_fill_seqno?: number | null;
}

export interface BestRxOtcItemBody {
  customer_unique_id?: number | string | null;
  upc?: string | null;
  item_description?: string | null;
  quantity?: number | null;
  amount_due?: number | null;
}

export interface BestRxConsentBody {
  consent_header?: string | null;
  consent_text?: string | null;
  consent_inputs?: string[] | null;
  /** Not interpreted by RxRelay: echoed back in UpdateOrderStatus exactly as sent. */
  consent_type: number | string;
}

export interface CreateOrderBody {
  bestrx_order_id: number | string;
  bestrx_unique_order_id: number | string;
  pickup_date?: string | null;
  requested_delivery_date?: string | null;
  service_level?: string | null;
  prescription_amount?: number | null;
  otc_amount?: number | null;
  tax_amount?: number | null;
  total_amount: number;
  amount_to_collect: number;
  declared_amount?: number | null;
  height?: string | null;
  width?: string | null;
  length?: string | null;
  weight?: string | null;
  refrigeration_needed?: BestRxFlag | null;
  signature_required?: BestRxFlag | null;
  photo_id_required?: BestRxFlag | null;
  delivery_notes?: string | null;
  store: BestRxStoreBody;
  recipient: BestRxRecipientBody;
  customers?: BestRxCustomerBody[] | null;
  prescriptions?: BestRxPrescriptionBody[] | null;
  otc_items?: BestRxOtcItemBody[] | null;
  consents?: BestRxConsentBody[] | null;
}

export interface CancelOrderBody {
  bestrx_order_id: number | string;
  bestrx_unique_order_id: number | string;
  provider_order_id?: string | null;
  tracking_id?: string | null;
  store: BestRxStoreBody;
  notes?: string | null;
}

export interface ValidateAddressBody {
  store: BestRxStoreBody;
  address_to_validate: BestRxAddressBody;
}
