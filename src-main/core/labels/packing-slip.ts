// The packing slip (BestRx's "manifesto"): what is in the bag, for whom, what is owed, and the
// consents the courier will present at the door. 4 inches wide like the label, so it prints on
// the same roll; at least 6 inches tall, longer when the order is. It goes inside the bag, so it
// lists Rx numbers and OTC items (never a drug name: BestRx sends none), which the outside label
// must not.
import { labelFont } from './label-font';
import { BASELINE_DROP, LINE_HEIGHT, dotGrid } from './label-layout';
import {
  cityStateZip,
  formatMoney,
  formatPhone,
  handlingFlags,
  personName,
  printableText,
  recipientEntityLine,
  recipientPersonName,
  type ImageFormat,
  type LabelDpi,
  type LabelOrder,
  orderSourceLine,
} from './label-order';
import { encodeImage, rasterizeSvg } from './raster';
import { groupedTrackingId } from './shipping-label';
import { SvgCanvas, type TextStyle } from './svg-canvas';
import { wrapText } from './text-fit';

export interface PackingSlipOptions {
  dpi: LabelDpi;
}

export const SLIP_WIDTH_INCHES = 4;
export const SLIP_MIN_HEIGHT_INCHES = 6;
const MARGIN_INCHES = 0.12;

type PostalAddress = LabelOrder['recipient']['address'];

function oneLineAddress(address: PostalAddress | null): string {
  if (!address) return '';
  return [address.address_line_1, address.address_line_2, cityStateZip(address)].map((part) => printableText(part)).filter(Boolean).join(', ');
}

interface ItemLine {
  title: string;
  detail: string;
  amount: number | null;
}

/** Rx and OTC lines grouped under the customer they belong to; lines for no known customer come last. */
function itemsByCustomer(order: LabelOrder): Array<{ heading: string | null; address: string; items: ItemLine[] }> {
  const rxLine = (rx: LabelOrder['prescriptions'][number]): ItemLine => ({
    title: `Rx ${printableText(rx.rx_number)}`,
    detail: [rx.fill_date ? `Filled ${printableText(rx.fill_date)}` : '', rx.partial_fill_seqno != null ? `Partial fill #${rx.partial_fill_seqno}` : '']
      .filter(Boolean)
      .join(' · '),
    amount: rx.amount_due,
  });
  const otcLine = (item: LabelOrder['otc_items'][number]): ItemLine => ({
    title: printableText(item.item_description) || 'OTC item',
    detail: ['OTC', item.upc ? `UPC ${printableText(item.upc)}` : '', item.quantity != null ? `Qty ${item.quantity}` : ''].filter(Boolean).join(' · '),
    amount: item.amount_due,
  });
  const known = new Set(order.customers.map((c) => c.customer_unique_id).filter((id) => id != null));
  const groups = order.customers.map((customer) => ({
    heading: [printableText(personName(customer)), customer.customer_unique_id != null ? `#${customer.customer_unique_id}` : ''].filter(Boolean).join('  ') || 'Customer',
    address: oneLineAddress(customer.address),
    items: [
      ...order.prescriptions.filter((rx) => rx.customer_unique_id != null && rx.customer_unique_id === customer.customer_unique_id).map(rxLine),
      ...order.otc_items.filter((item) => item.customer_unique_id != null && item.customer_unique_id === customer.customer_unique_id).map(otcLine),
    ],
  }));
  const unassigned = [
    ...order.prescriptions.filter((rx) => rx.customer_unique_id == null || !known.has(rx.customer_unique_id)).map(rxLine),
    ...order.otc_items.filter((item) => item.customer_unique_id == null || !known.has(item.customer_unique_id)).map(otcLine),
  ];
  if (unassigned.length > 0) groups.push({ heading: groups.length > 0 ? 'Other items' : '', address: '', items: unassigned });
  return groups.map((group) => ({ ...group, heading: group.heading || null }));
}

export function packingSlipSvg(order: LabelOrder, options: PackingSlipOptions): string {
  const { inch, pt } = dotGrid(options.dpi);
  const width = inch(SLIP_WIDTH_INCHES);
  const left = inch(MARGIN_INCHES);
  const right = width - left;
  const contentWidth = right - left;
  const canvas = new SvgCanvas(width, inch(SLIP_MIN_HEIGHT_INCHES));
  const rule = Math.max(2, inch(0.015));
  const regular = labelFont('regular');

  const body: TextStyle = { weight: 'regular', sizePx: pt(8.5) };
  const strong: TextStyle = { weight: 'bold', sizePx: pt(8.5) };
  const caption: TextStyle = { weight: 'bold', sizePx: pt(7) };
  const small: TextStyle = { weight: 'regular', sizePx: pt(7.5) };

  let top = inch(MARGIN_INCHES);
  /** Wrapped text with no line limit: the slip grows instead of cutting. */
  const paragraph = (text: string, x: number, maxWidth: number, style: TextStyle): void => {
    const font = labelFont(style.weight);
    for (const line of wrapText(printableText(text), maxWidth, (t) => font.measure(t, style.sizePx)).lines) {
      top = canvas.line(line, x, top, maxWidth, style);
    }
  };
  const section = (title: string): void => {
    top += inch(0.05);
    canvas.rule(left, right, top, rule);
    top += rule + inch(0.05);
    top = canvas.line(title, left, top, contentWidth, caption);
  };

  // ---- title and store ------------------------------------------------------------------
  canvas.line('PACKING SLIP', left, top, contentWidth * 0.55, { weight: 'bold', sizePx: pt(15) });
  canvas.line(printableText(order.id), right, top + pt(15 - 9) * BASELINE_DROP, contentWidth * 0.45, { weight: 'bold', sizePx: pt(9), anchor: 'end' });
  top += pt(15) * LINE_HEIGHT;
  const store = order.store;
  paragraph(printableText(store.name) || 'Pharmacy', left, contentWidth, strong);
  paragraph([oneLineAddress(store.address), store.phone ? formatPhone(store.phone) : ''].filter(Boolean).join(' · '), left, contentWidth, small);

  // ---- ids and dates ----------------------------------------------------------------------
  section('ORDER');
  const pairs: Array<[string, string]> = [
    [orderSourceLine(order).caption, orderSourceLine(order).value],
    ['Tracking', groupedTrackingId(printableText(order.tracking_id))],
    ['Service', printableText(order.service_level)],
    ['Pickup', printableText(order.pickup_date)],
    ['Deliver by', printableText(order.requested_delivery_date)],
  ];
  const keyWidth = inch(0.95);
  for (const [key, value] of pairs) {
    if (!value) continue;
    canvas.line(key, left, top, keyWidth, body);
    paragraph(value, left + keyWidth, contentWidth - keyWidth, strong);
  }

  // ---- deliver to -------------------------------------------------------------------------
  section('DELIVER TO');
  paragraph(recipientPersonName(order), left, contentWidth, { weight: 'bold', sizePx: pt(10) });
  const entity = recipientEntityLine(order);
  if (entity) paragraph(entity, left, contentWidth, strong);
  paragraph(oneLineAddress(order.recipient.address), left, contentWidth, body);

  const flags = handlingFlags(order);
  if (flags.length > 0) {
    top += inch(0.05);
    // Inverted chips, flowing onto a new row when the next one does not fit.
    const chipHeight = pt(8) * LINE_HEIGHT + inch(0.04);
    let x = left;
    for (const flag of flags) {
      const textWidth = labelFont('bold').measure(flag, pt(8));
      const chipWidth = Math.min(contentWidth, textWidth + inch(0.1));
      if (x > left && x + chipWidth > right) {
        x = left;
        top += chipHeight + inch(0.04);
      }
      canvas.rect(x, top, chipWidth, chipHeight);
      canvas.line(flag, x + inch(0.05), top + inch(0.02), chipWidth - inch(0.1), { weight: 'bold', sizePx: pt(8), fill: '#fff' });
      x += chipWidth + inch(0.05);
    }
    top += chipHeight;
  }

  // ---- items, per customer --------------------------------------------------------------
  section('ITEMS');
  const amountWidth = inch(0.75);
  const itemWidth = contentWidth - amountWidth - inch(0.05);
  let itemsTotal = 0;
  let itemCount = 0;
  for (const group of itemsByCustomer(order)) {
    if (group.heading) paragraph(group.heading, left, contentWidth, strong);
    if (group.address) paragraph(group.address, left, contentWidth, small);
    if (group.items.length === 0) top = canvas.line('No items for this customer', left + inch(0.1), top, contentWidth, small);
    for (const item of group.items) {
      top += inch(0.02);
      const amount = item.amount == null ? '—' : formatMoney(item.amount);
      if (item.amount != null) itemsTotal += Math.round(item.amount * 100);
      itemCount += 1;
      canvas.line(amount, right, top, amountWidth, { ...strong, anchor: 'end' });
      paragraph(item.title, left + inch(0.1), itemWidth - inch(0.1), strong);
      if (item.detail) paragraph(item.detail, left + inch(0.1), itemWidth - inch(0.1), small);
    }
    top += inch(0.04);
  }
  if (itemCount === 0) top = canvas.line('No items listed', left, top, contentWidth, body);

  // ---- amounts ----------------------------------------------------------------------------
  section('AMOUNTS');
  const totals: Array<[string, string]> = [
    [`Items listed (${itemCount})`, formatMoney(itemsTotal / 100)],
    ['Order total', formatMoney(order.total_amount)],
  ];
  for (const [key, value] of totals) {
    canvas.line(key, left, top, contentWidth - amountWidth, body);
    top = canvas.line(value, right, top, amountWidth, { ...strong, anchor: 'end' });
  }
  top += inch(0.03);
  const dueHeight = pt(11) * LINE_HEIGHT + inch(0.06);
  canvas.rect(left, top, contentWidth, dueHeight);
  canvas.line('AMOUNT TO COLLECT', left + inch(0.06), top + inch(0.03), contentWidth * 0.6, { weight: 'bold', sizePx: pt(11), fill: '#fff' });
  canvas.line(formatMoney(order.amount_to_collect), right - inch(0.06), top + inch(0.03), contentWidth * 0.4 - inch(0.12), {
    weight: 'bold',
    sizePx: pt(11),
    fill: '#fff',
    anchor: 'end',
  });
  top += dueHeight;

  // ---- consents ---------------------------------------------------------------------------
  if (order.consents.length > 0) {
    section(order.consents.length === 1 ? 'CONSENT TO PRESENT' : `CONSENTS TO PRESENT (${order.consents.length})`);
    order.consents.forEach((consent, index) => {
      if (index > 0) top += inch(0.06);
      paragraph(printableText(consent.consent_header) || `Consent ${index + 1}`, left, contentWidth, strong);
      if (consent.consent_text) paragraph(consent.consent_text, left, contentWidth, small);
      const box = Math.round(pt(7));
      let x = left;
      top += inch(0.03);
      const options = consent.consent_inputs.map((input) => printableText(input)).filter(Boolean);
      for (const option of options.length > 0 ? options : ['']) {
        const optionWidth = Math.min(contentWidth - box - inch(0.06), regular.measure(option, body.sizePx));
        if (x > left && x + box + inch(0.06) + optionWidth > right) {
          x = left;
          top += body.sizePx * LINE_HEIGHT;
        }
        canvas.frame(x, top + (body.sizePx * LINE_HEIGHT - box) / 2, box, box, Math.max(1, Math.round(pt(0.8))));
        canvas.line(option, x + box + inch(0.05), top, optionWidth, body);
        x += box + inch(0.05) + optionWidth + inch(0.2);
      }
      top += body.sizePx * LINE_HEIGHT;
    });
  }

  // ---- delivery notes ---------------------------------------------------------------------
  const notes = printableText(order.delivery_notes);
  if (notes) {
    section('DELIVERY NOTES');
    paragraph(notes, left, contentWidth, body);
  }

  top += inch(MARGIN_INCHES);
  canvas.height = Math.max(inch(SLIP_MIN_HEIGHT_INCHES), Math.ceil(top));
  return canvas.toSvg(`Packing slip ${printableText(order.id)}`);
}

export async function renderPackingSlip(order: LabelOrder, options: PackingSlipOptions & { format: ImageFormat }): Promise<Buffer> {
  const image = await rasterizeSvg(packingSlipSvg(order, options));
  return encodeImage(image, options.format, options.dpi);
}
