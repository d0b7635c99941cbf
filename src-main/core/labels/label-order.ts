// The order as labels, packing slips, run sheets and ZPL see it, and the small formatting rules
// they share (money, names, phones), so the four outputs never disagree about what they print.
//
// Every string here came from BestRx and is untrusted: these helpers only format it; escaping
// for SVG, ZPL or PDF is each writer's job.
import { PARTNER_DISPLAY_NAMES, type OrderDetail } from '../../../src-shared/app-api-contract';
import { DEFAULT_CODE_TABLES, LABEL_FILE_TYPES, type CodeTables, type LabelFileType } from '../domain/code-tables';
import { formatDollars } from '../domain/money';

/** What labels, slips and run sheets need of an order (OrderDetail satisfies it). */
export type LabelOrder = Pick<
  OrderDetail,
  | 'id'
  | 'tracking_id'
  | 'bestrx_order_id'
  | 'bestrx_unique_order_id'
  | 'origin'
  | 'store'
  | 'recipient'
  | 'flags'
  | 'amount_to_collect'
  | 'total_amount'
  | 'service_level'
  | 'pickup_date'
  | 'requested_delivery_date'
  | 'package'
  | 'customers'
  | 'prescriptions'
  | 'otc_items'
  | 'consents'
  | 'delivery_notes'
>;

/**
 * Where the order came from, as a caption and a value: BestRx's order ids, or the partner that
 * made the order itself (Honeybee's Automatic Processing has no BestRx ids to print).
 */
export function orderSourceLine(order: Pick<LabelOrder, 'origin' | 'bestrx_order_id' | 'bestrx_unique_order_id'>): { caption: string; value: string } {
  if (order.origin === 'bestrx') return { caption: 'BestRx order', value: `${order.bestrx_order_id} / ${order.bestrx_unique_order_id}` };
  return { caption: 'From', value: PARTNER_DISPLAY_NAMES[order.origin] };
}

export const LABEL_DPIS = [203, 300] as const;
export type LabelDpi = (typeof LABEL_DPIS)[number];

/** The image formats of BestRx's label_file_type table: one list, so a new format cannot be half-added. */
export type ImageFormat = LabelFileType;
export const IMAGE_FORMATS: readonly ImageFormat[] = LABEL_FILE_TYPES;

export const IMAGE_MIME_TYPES: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
};

/** File name extensions, as the label links and downloads name the files. */
export const IMAGE_FILE_EXTENSIONS: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', gif: 'gif' };

/** The `label_file_type` / `manifesto_file_type` code BestRx expects for an image format. */
export function labelFileTypeCode(format: ImageFormat, tables: CodeTables = DEFAULT_CODE_TABLES): number {
  return tables.labelFileType[format];
}

/** The image format a `label_file_type` code asks for, or undefined for a code the table does not know. */
export function imageFormatForLabelFileType(
  code: number | string,
  tables: CodeTables = DEFAULT_CODE_TABLES,
): ImageFormat | undefined {
  const wanted = Number(code);
  return IMAGE_FORMATS.find((format) => tables.labelFileType[format] === wanted);
}

/** Dollars as BestRx sends them (a JSON number) → `$97.83`; rounded to the cent first. */
export function formatMoney(dollars: number): string {
  const cents = Math.round(dollars * 100);
  return cents < 0 ? `-${formatDollars(-cents)}` : formatDollars(cents);
}

export function mustCollect(order: Pick<LabelOrder, 'amount_to_collect'>): boolean {
  return Math.round(order.amount_to_collect * 100) > 0;
}

export function personName(person: { first_name: string | null; middle_name: string | null; last_name: string | null }): string {
  return [person.first_name, person.middle_name, person.last_name]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
}

/** The person to hand the package to; the entity name when BestRx sent no person. */
export function recipientPersonName(order: Pick<LabelOrder, 'recipient'>): string {
  return personName(order.recipient) || order.recipient.entity_name?.trim() || '';
}

/** The entity line under the person's name, when there is both a person and an entity. */
export function recipientEntityLine(order: Pick<LabelOrder, 'recipient'>): string | null {
  const entity = order.recipient.entity_name?.trim();
  return entity && personName(order.recipient) ? entity : null;
}

/** The courier calls a mobile first: that is the phone most likely answered at the door. */
export function recipientPhone(order: Pick<LabelOrder, 'recipient'>): string | null {
  const r = order.recipient;
  const phone = [r.mobile_phone, r.home_phone, r.work_phone].map((p) => p?.trim()).find(Boolean);
  return phone ? formatPhone(phone) : null;
}

/** US numbers as (630) 555-1111; anything else exactly as BestRx sent it. */
export function formatPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  if (national.length === 10 && /^[\d\s().+-]+$/.test(phone)) {
    return `(${national.slice(0, 3)}) ${national.slice(3, 6)}-${national.slice(6)}`;
  }
  return phone.trim();
}

export function cityStateZip(address: { city: string; state: string; zip_code: string }): string {
  const city = address.city.trim();
  const stateZip = [address.state.trim(), address.zip_code.trim()].filter(Boolean).join(' ');
  return [city, stateZip].filter(Boolean).join(', ');
}

/** `2 in × 2 in × 3 in, 8 oz`, leaving out whatever BestRx did not send; null when it sent nothing. */
export function packageDescription(pkg: LabelOrder['package']): string | null {
  const dimensions = [pkg.length, pkg.width, pkg.height].map((d) => d?.trim()).filter(Boolean);
  const parts = [dimensions.join(' × '), pkg.weight?.trim()].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** The courier-facing flags, in the order the label, slip, run sheet and ZPL print them. */
export function handlingFlags(order: Pick<LabelOrder, 'flags' | 'amount_to_collect'>): string[] {
  const flags: string[] = [];
  if (order.flags.refrigeration_needed) flags.push('REFRIGERATE');
  if (order.flags.signature_required) flags.push('SIGNATURE REQUIRED');
  if (order.flags.photo_id_required) flags.push('PHOTO ID REQUIRED');
  if (mustCollect(order)) flags.push(`COLLECT ${formatMoney(order.amount_to_collect)}`);
  return flags;
}

/**
 * Untrusted text made printable: control characters (newlines included) become spaces, runs of
 * space collapse, invisible format characters (bidi overrides that could reorder what a courier
 * reads, zero-width joiners) and unpaired surrogates (not valid in XML or UTF-8) are dropped.
 */
export function printableText(text: string | number | null | undefined): string {
  if (text == null) return '';
  return String(text)
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .normalize('NFC')
    .replace(/[\p{Cc}\u2028\u2029]/gu, ' ')
    .replace(/[\p{Cf}\uFFFE\uFFFF]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}
