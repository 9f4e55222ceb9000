// Seeds 000 and 004: the organization's invoices (one per local month), newest first, with their lines, tax,
// totals, payments and credit notes, and the PDF download. Amounts are shown exactly as the API states them
// (in the currency's minor unit), so the page, the PDF and the API agree to the cent. What prepaid balances paid for
// (plan allowance, top-up tokens, prepaid credits) appears as negative lines; usage by feature is a breakdown of the
// usage lines, not more charges. A draft shows what it would bill if finalized now.
import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { formatDate, formatDateTime, formatNumber, percent } from '../shared/format';
import { Card, ErrorBox, Loading, Pager, usePager, useTimeZone } from '../shared/ui';
import { loadSession } from '../shared/session';

// How a credit note settled; notes issued before settlements existed only recorded the amount.
function settlementLabel(settlement: string | null | undefined): string {
  switch (settlement) {
    case 'REDUCE_AMOUNT_DUE': return 'Amount due reduced';
    case 'REFUND': return 'Refunded';
    case 'ACCOUNT_CREDIT': return 'Credited to account';
    default: return 'Credited';
  }
}

const PAGE_SIZE = 12;

// The list reads the summary of a page; the opened invoice is read on its own (lines, payments and credit notes
// of twelve invoices at once would cost more than the API's per-query limit).
const InvoicesQuery = graphql(`
  query ClientInvoices($first: Int!, $after: String, $status: InvoiceStatus) {
    invoices(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id number status periodStart periodEnd pdfUrl total { amount currencyCode } amountDue { amount currencyCode } }
    }
  }
`);

const InvoiceQuery = graphql(`
  query ClientInvoice($id: ID!) {
    invoice(id: $id) {
      id number status finalizedAt taxName taxPercent taxExempt
      billTo { companyName contactName addressLine1 city region postalCode country billingEmail }
      lines { kind description usagePeriod quantity unit unitPrice { amount currencyCode } amount { amount currencyCode } }
      featureCharges { feature share amount { amount currencyCode } }
      subtotal { amount currencyCode } tax { amount currencyCode } total { amount currencyCode }
      amountPaid { amount currencyCode } amountCredited { amount currencyCode } amountDue { amount currencyCode }
      payments { amount { amount currencyCode } method reference paidAt }
      creditNotes { number kind settlement stripeCreditNoteId amount { amount currencyCode } reason createdAt }
    }
  }
`);

type Money = { amount: string; currencyCode: string };
const money = (m: Money | null | undefined) => (m ? `${m.amount} ${m.currencyCode}` : '—');
const STATUSES = ['', 'DRAFT', 'OPEN', 'PAID', 'VOID', 'UNCOLLECTIBLE'] as const;

export function InvoicesPage() {
  const pager = usePager();
  const [status, setStatus] = useState<string>('');
  const [open, setOpen] = useState<string | null>(null);
  const [downloading, setDownloading] = useState<string | null>(null);
  const [result] = useQuery({
    query: InvoicesQuery,
    variables: { first: PAGE_SIZE, after: pager.after, status: status === '' ? null : (status as never) },
  });
  const invoices = result.data?.invoices;

  async function download(pdfUrl: string) {
    setDownloading('Downloading…');
    try {
      const response = await fetch(pdfUrl, { headers: { Authorization: `Bearer ${loadSession('client')?.token ?? ''}` } });
      if (!response.ok) throw new Error(`Download failed (${response.status})`);
      const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'invoice.pdf';
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setDownloading(null);
    } catch (e) {
      setDownloading(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <Card title="Invoices" testId="invoices">
      <label>
        Status{' '}
        <select value={status} onChange={(e) => { setStatus(e.target.value); pager.reset(); }} data-testid="invoice-status">
          {STATUSES.map((s) => <option key={s} value={s}>{s === '' ? 'All' : s}</option>)}
        </select>
      </label>
      <Loading fetching={result.fetching} />
      <ErrorBox error={result.error} />
      {downloading && <p className="muted" role="status">{downloading}</p>}
      <table className="table">
        <thead>
          <tr><th>Number</th><th>Period</th><th>Status</th><th>Total</th><th>Amount due</th><th /></tr>
        </thead>
        <tbody>
          {invoices?.nodes.map((invoice) => (
            <tr key={invoice.id} data-testid="invoice-row">
              <td><button type="button" className="link" onClick={() => setOpen(open === invoice.id ? null : invoice.id)}>{invoice.number ?? 'Draft'}</button></td>
              <td>{formatDate(invoice.periodStart)} – {formatDate(invoice.periodEnd)}</td>
              <td data-testid="invoice-row-status">{invoice.status}</td>
              <td data-testid="invoice-row-total">{money(invoice.total)}</td>
              <td data-testid="invoice-row-due">{money(invoice.amountDue)}</td>
              <td><button type="button" data-testid="invoice-pdf" onClick={() => download(invoice.pdfUrl)}>PDF</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {invoices && invoices.nodes.length === 0 && <p className="muted">No invoices yet: the first is made when your first month ends.</p>}
      <Pager pager={pager} pageInfo={invoices?.pageInfo} totalCount={invoices?.totalCount} pageSize={PAGE_SIZE} />
      {open && <InvoiceDetail id={open} />}
    </Card>
  );
}

function InvoiceDetail({ id }: { id: string }) {
  const timeZone = useTimeZone();
  const [result] = useQuery({ query: InvoiceQuery, variables: { id } });
  const invoice = result.data?.invoice;
  if (!invoice) return result.error ? <ErrorBox error={result.error} /> : <Loading fetching={result.fetching} />;
  return (
    <div data-testid="invoice-detail">
      <h3>{invoice.number ?? 'Draft invoice'}{invoice.finalizedAt ? `, issued ${formatDateTime(invoice.finalizedAt, timeZone)}` : ''}</h3>
      {invoice.status === 'DRAFT' && (
        <p className="muted" data-testid="invoice-draft-note">
          DRAFT: the lines and totals as they would be billed if the invoice were finalized now. Usage still counts until the grace period ends.
        </p>
      )}
      {invoice.billTo && (
        <p>
          <strong>BILL TO</strong><br />
          {invoice.billTo.companyName}{invoice.billTo.contactName ? `, ${invoice.billTo.contactName}` : ''}<br />
          {[invoice.billTo.addressLine1, invoice.billTo.city, invoice.billTo.region, invoice.billTo.postalCode, invoice.billTo.country].filter(Boolean).join(', ')}
        </p>
      )}
      <table className="table">
        <thead><tr><th>Description</th><th>Quantity</th><th>Unit</th><th>Unit price</th><th>Amount</th></tr></thead>
        <tbody>
          {invoice.lines.map((line, index) => {
            // Netting lines (allowance, top-up tokens, prepaid credits) are negative: what was already paid for.
            const netted = Number(line.amount.amount) < 0;
            return (
              <tr key={index} data-testid="invoice-line" data-kind={line.kind}>
                <td>{line.description}</td>
                <td>{formatNumber(line.quantity, 9)}</td>
                <td>{line.unit}</td>
                <td>{line.unitPrice.amount}</td>
                <td className={netted ? 'ok' : undefined} data-testid="invoice-line-amount">{money(line.amount)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr><td colSpan={4}>Subtotal</td><td data-testid="invoice-subtotal">{money(invoice.subtotal)}</td></tr>
          <tr><td colSpan={4} data-testid="invoice-tax-label">{invoice.taxExempt ? 'Tax (exempt)' : invoice.taxName ? `Tax ${invoice.taxName} ${invoice.taxPercent} %` : 'Tax'}</td><td data-testid="invoice-tax">{money(invoice.tax)}</td></tr>
          <tr><td colSpan={4}><strong>Total</strong></td><td data-testid="invoice-total"><strong>{money(invoice.total)}</strong></td></tr>
          <tr><td colSpan={4}>Paid</td><td data-testid="invoice-paid">{money(invoice.amountPaid)}</td></tr>
          <tr><td colSpan={4}>Credited</td><td data-testid="invoice-credited">{money(invoice.amountCredited)}</td></tr>
          <tr><td colSpan={4}><strong>Amount due</strong></td><td data-testid="invoice-due"><strong>{money(invoice.amountDue)}</strong></td></tr>
        </tfoot>
      </table>
      {invoice.featureCharges.length > 0 && (
        <>
          <h4>Usage by feature</h4>
          <p className="muted">A breakdown of the usage lines above, not extra charges: the amounts add up to their total.</p>
          <table className="table" data-testid="invoice-feature-charges">
            <thead><tr><th>Feature</th><th>Share</th><th>Amount</th></tr></thead>
            <tbody>
              {invoice.featureCharges.map((charge) => (
                <tr key={charge.feature ?? ''}>
                  <td>{charge.feature ?? <span className="muted">Unattributed</span>}</td>
                  <td>{percent(Number(charge.share) * 100, 2)}</td>
                  <td>{money(charge.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h4>Payments</h4>
      {invoice.payments.length === 0 ? <p className="muted">None yet.</p> : (
        <ul>{invoice.payments.map((p) => <li key={p.reference} data-testid="invoice-payment">{formatDateTime(p.paidAt, timeZone)} · {p.method} · {p.reference} · {money(p.amount)}</li>)}</ul>
      )}
      {invoice.creditNotes.length > 0 && (
        <>
          <h4>Credit notes</h4>
          <ul>{invoice.creditNotes.map((n) => <li key={n.number}>{n.number} · {settlementLabel(n.settlement)}{n.stripeCreditNoteId ? ' (Stripe)' : ''} · {n.reason} · {money(n.amount)}</li>)}</ul>
        </>
      )}
    </div>
  );
}
