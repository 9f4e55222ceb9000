// Seed 000's Usage Reports: monthly reports in the organization's zone, the latest six by default, filters by
// month and year with Clear, Total Reports (before the filters narrow the list), and one report opened with its
// breakdowns and downloads (PDF, CSV, JSON, team summary). Downloads are plain HTTP with the same access token.
import { useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { formatCost, formatDate, formatDateTime, formatNumber } from '../shared/format';
import { ErrorBox, Loading, useTimeZone } from '../shared/ui';
import { loadSession } from '../shared/session';

const Reports = graphql(`
  query ClientUsageReports($month: Int, $year: Int, $first: Int) {
    usageReports(month: $month, year: $year, first: $first) {
      totalCount
      nodes { id period from to timeZone tokens requests cost { amount currencyCode } originalCost { amount currencyCode } status generatedAt }
    }
  }
`);

const Report = graphql(`
  query ClientUsageReport($id: ID!) {
    usageReport(id: $id) {
      id period from to timeZone status
      totals { tokens requests cost { amount currencyCode } originalCost { amount currencyCode } }
      comparison { from to tokensChange costChange }
      byModel: breakdown(by: MODEL, first: 10) { groups { key tokenShare totals { tokens cost { amount currencyCode } } } }
      byFeature: breakdown(by: FEATURE, first: 10) { groups { key tokenShare totals { tokens cost { amount currencyCode } } } }
      byTeam: breakdown(by: TEAM, first: 10) { groups { key tokenShare totals { tokens cost { amount currencyCode } } } }
      downloads { pdf csv json teamsCsv }
    }
  }
`);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Fetches a download with the signed-in user's token and saves it under the server's file name. */
export async function saveDownload(path: string): Promise<void> {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${loadSession('client')?.token ?? ''}` } });
  if (!response.ok) throw new Error(`Download failed (${response.status})`);
  const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? path.split('/').pop() ?? 'download';
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function UsageReportsPage() {
  const tz = useTimeZone();
  const [month, setMonth] = useState<number | null>(null);
  const [year, setYear] = useState<number | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const filtered = month !== null || year !== null;
  // The latest six by default; with a filter, every matching month.
  const [{ data, error, fetching }] = useQuery({ query: Reports, variables: { month, year, first: filtered ? 100 : 6 } });
  const thisYear = new Date().getFullYear();
  const years = Array.from({ length: 5 }, (_, i) => thisYear - i);
  const c = data?.usageReports;
  return (
    <>
      <h2>Usage Reports</h2>
      <form className="filters" data-testid="report-filters" onSubmit={(e) => e.preventDefault()}>
        <label>Month
          <select name="month" value={month ?? ''} onChange={(e) => setMonth(e.target.value ? Number(e.target.value) : null)}>
            <option value="">All months</option>
            {MONTHS.map((name, i) => <option key={name} value={i + 1}>{name}</option>)}
          </select>
        </label>
        <label>Year
          <select name="year" value={year ?? ''} onChange={(e) => setYear(e.target.value ? Number(e.target.value) : null)}>
            <option value="">All years</option>
            {years.map((y) => <option key={y} value={y}>{y}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => { setMonth(null); setYear(null); }}>Clear</button>
        <span className="muted">Total Reports: <strong data-testid="total-reports">{c?.totalCount ?? '—'}</strong></span>
      </form>
      <ErrorBox error={error} />
      <Loading fetching={fetching && !data} />
      <section className="panel">
        <table data-testid="reports-table">
          <thead><tr><th>Report Period</th><th className="num">Tokens</th><th className="num">Requests</th><th className="num">Cost</th><th>Status</th><th>Generated</th><th>Report</th></tr></thead>
          <tbody>
            {c?.nodes.map((r) => (
              <tr key={r.id}>
                <td><strong>{formatDate(r.from, { year: 'numeric', month: 'long' })}</strong><br /><span className="muted">{formatDate(r.from)} – {formatDate(r.to)}</span></td>
                <td className="num">{formatNumber(r.tokens)}</td>
                <td className="num">{formatNumber(r.requests)}</td>
                <td className="num">{formatCost(r.cost, r.originalCost)}</td>
                <td><span className={`badge ${r.status === 'COMPLETED' ? 'ok' : ''}`}>{r.status.toLowerCase()}</span></td>
                <td>{formatDateTime(r.generatedAt, tz)}</td>
                <td><button type="button" onClick={() => setOpen(open === r.id ? null : r.id)}>{open === r.id ? 'Close' : 'Open'}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {open && <ReportDetail id={open} />}
    </>
  );
}

function ReportDetail({ id }: { id: string }) {
  const [{ data, error }] = useQuery({ query: Report, variables: { id } });
  const [problem, setProblem] = useState<string | null>(null);
  const r = data?.usageReport;
  if (!r) return <ErrorBox error={error} />;
  const download = (path: string) => { setProblem(null); saveDownload(path).catch((e: unknown) => setProblem(e instanceof Error ? e.message : String(e))); };
  const change = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value > 0 ? '+' : ''}${value.toFixed(1)} %`);
  return (
    <section className="panel" data-testid="report-detail">
      <h3>Report {r.period} ({r.from} – {r.to}, {r.timeZone})</h3>
      <p>
        {formatNumber(r.totals.tokens)} tokens · {formatNumber(r.totals.requests)} requests · {formatCost(r.totals.cost, r.totals.originalCost)}
        {' '}<span className="muted">vs {r.comparison.from} – {r.comparison.to}: tokens {change(r.comparison.tokensChange)}, cost {change(r.comparison.costChange)}</span>
      </p>
      <p>
        <button type="button" onClick={() => download(r.downloads.pdf)}>PDF</button>{' '}
        <button type="button" onClick={() => download(r.downloads.csv)}>CSV</button>{' '}
        <button type="button" onClick={() => download(r.downloads.json)}>JSON</button>{' '}
        <button type="button" onClick={() => download(r.downloads.teamsCsv)}>Team summary (CSV)</button>
        {problem && <span className="error"> {problem}</span>}
      </p>
      {([['Models', r.byModel.groups], ['Features', r.byFeature.groups], ['Teams', r.byTeam.groups]] as const).map(([title, groups]) => (
        <table key={title}>
          <thead><tr><th>{title}</th><th className="num">Tokens</th><th className="num">Share</th><th className="num">Cost</th></tr></thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.key}><td>{g.key || '(none)'}</td><td className="num">{formatNumber(g.totals.tokens)}</td><td className="num">{g.tokenShare.toFixed(1)} %</td><td className="num">{formatCost(g.totals.cost)}</td></tr>
            ))}
          </tbody>
        </table>
      ))}
    </section>
  );
}
