// Everything BestRx sent about an order, grouped the way staff look for it: the bag (each
// customer's prescriptions and OTC items), the money, the package, the store and the recipient's
// contacts, the consents, and what BestRx has been told (status pushes).
import type { JSX } from 'react';
import type { OrderDetail, PostalAddressView } from '../../../src-shared/app-api-contract';
import { plainWords } from '../push-explanations';

const money = (amount: number | null) => (amount === null ? '—' : `$${amount.toFixed(2)}`);
const address = (a: PostalAddressView | null) =>
  a ? [a.address_line_1, a.address_line_2, `${a.city}, ${a.state} ${a.zip_code}`].filter(Boolean).join(', ') : '—';
const joinName = (...parts: Array<string | null>) => parts.filter(Boolean).join(' ') || '—';

export function OrderItems({ detail }: { detail: OrderDetail }): JSX.Element {
  // Items without a customer id (or for a customer BestRx did not list) still show, under "Other".
  const customers = [...detail.customers.map((c) => ({ id: c.customer_unique_id, name: joinName(c.first_name, c.middle_name, c.last_name) }))];
  const known = new Set(customers.map((c) => c.id));
  if ([...detail.prescriptions, ...detail.otc_items].some((item) => !known.has(item.customer_unique_id))) customers.push({ id: null, name: 'Other items' });
  return (
    <section aria-label="Items">
      <h3>In the bag</h3>
      {customers.map((customer) => {
        const rx = detail.prescriptions.filter((p) => (customer.name === 'Other items' ? !known.has(p.customer_unique_id) : p.customer_unique_id === customer.id));
        const otc = detail.otc_items.filter((o) => (customer.name === 'Other items' ? !known.has(o.customer_unique_id) : o.customer_unique_id === customer.id));
        return (
          <div key={`${customer.id ?? 'other'}-${customer.name}`} className="customer-items">
            <h4>{customer.name}</h4>
            <table>
              <caption className="visually-hidden">Items for {customer.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Details</th>
                  <th scope="col">Due</th>
                </tr>
              </thead>
              <tbody>
                {rx.map((p) => (
                  <tr key={`rx-${p.rx_number}-${p.partial_fill_seqno ?? 0}`}>
                    <td>Rx {p.rx_number}</td>
                    <td>
                      {p.fill_date ? `filled ${p.fill_date}` : ''}
                      {p.partial_fill_seqno ? `, partial fill ${p.partial_fill_seqno}` : ''}
                    </td>
                    <td>{money(p.amount_due)}</td>
                  </tr>
                ))}
                {otc.map((o, i) => (
                  <tr key={`otc-${o.upc ?? i}`}>
                    <td>{o.item_description ?? `UPC ${o.upc ?? '—'}`}</td>
                    <td>
                      {o.quantity !== null ? `qty ${o.quantity}` : ''}
                      {o.upc ? ` · UPC ${o.upc}` : ''}
                    </td>
                    <td>{money(o.amount_due)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
      <dl className="facts">
        <dt>Prescriptions</dt>
        <dd>{money(detail.prescription_amount)}</dd>
        <dt>OTC</dt>
        <dd>{money(detail.otc_amount)}</dd>
        <dt>Tax</dt>
        <dd>{money(detail.tax_amount)}</dd>
        <dt>Total</dt>
        <dd>{money(detail.total_amount)}</dd>
        <dt>Declared value</dt>
        <dd>{money(detail.declared_amount)}</dd>
      </dl>
    </section>
  );
}

export function OrderParticulars({ detail }: { detail: OrderDetail }): JSX.Element {
  const p = detail.package;
  const r = detail.recipient;
  const s = detail.store;
  return (
    <details className="particulars">
      <summary>{detail.origin === 'bestrx' ? 'Everything else BestRx sent' : 'Everything else on the order'}</summary>
      <dl className="facts">
        <dt>Service level</dt>
        <dd>{detail.service_level ?? '—'}</dd>
        <dt>Pickup date</dt>
        <dd>{detail.pickup_date ?? '—'}</dd>
        <dt>Requested delivery</dt>
        <dd>{detail.requested_delivery_date ?? '—'}</dd>
        <dt>Package</dt>
        <dd>{[p.length, p.width, p.height].every((v) => v === null) ? '—' : `${p.length ?? '?'} × ${p.width ?? '?'} × ${p.height ?? '?'}${p.weight ? `, ${p.weight}` : ''}`}</dd>
        <dt>Recipient</dt>
        <dd>{joinName(r.entity_name ? `${r.entity_name}:` : null, r.first_name, r.middle_name, r.last_name)}</dd>
        <dt>Recipient phones</dt>
        <dd>{[r.mobile_phone && `mobile ${r.mobile_phone}`, r.home_phone && `home ${r.home_phone}`, r.work_phone && `work ${r.work_phone}`].filter(Boolean).join(', ') || '—'}</dd>
        <dt>Recipient email</dt>
        <dd>{r.email ?? '—'}</dd>
        <dt>Store</dt>
        <dd>
          {s.name ?? '—'}, {address(s.address)}
        </dd>
        <dt>Store contacts</dt>
        <dd>{[s.phone && `phone ${s.phone}`, s.fax && `fax ${s.fax}`, s.email].filter(Boolean).join(', ') || '—'}</dd>
        <dt>Store ids</dt>
        <dd>{[`pharmacy ${s.bestrx_pharmacy_id}`, s.ncpdp && `NCPDP ${s.ncpdp}`, s.npi && `NPI ${s.npi}`, s.dea && `DEA ${s.dea}`, s.delivery_provider_acct_no && `account ${s.delivery_provider_acct_no}`].filter(Boolean).join(', ')}</dd>
      </dl>
    </details>
  );
}

export function OrderConsents({ detail }: { detail: OrderDetail }): JSX.Element | null {
  if (detail.consents.length === 0) return null;
  return (
    <section aria-label="Consents">
      <h3>Consents to present</h3>
      <ol>
        {detail.consents.map((c, i) => (
          <li key={i}>
            <strong>{c.consent_header ?? `Consent ${i + 1}`}</strong>
            {c.consent_text ? ` — ${c.consent_text}` : ''}
            {c.consent_inputs.length > 0 ? ` (answers: ${c.consent_inputs.join(', ')})` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function OrderPushes({ detail }: { detail: OrderDetail }): JSX.Element {
  return (
    <section aria-label="Told BestRx">
      <h3>Told BestRx</h3>
      {detail.origin !== 'bestrx' && detail.pushes.length === 0 ? (
        <p className="empty">None are sent: BestRx did not send this order.</p>
      ) : detail.pushes.length === 0 ? (
        <p className="empty">Nothing yet: CreateOrder’s answer told BestRx the order was created.</p>
      ) : (
        <ol className="pushes">
          {detail.pushes.map((push) => (
            <li key={push.id}>
              <strong>{push.status_description}</strong> — {plainWords(push)}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
