// Seed 002's usage history: 7 / 30 / 90 days or from / to, filters by key label or prefix, mode and
// status, newest first in Relay pages of 25, timestamps in the user's zone, and the user's own notes.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import type { DateRangeInput, DateRangePreset, UsageStatusFilter } from '../gql/graphql';
import { formatCost, formatDateTime, formatNumber, type MoneyLike } from '../shared/format';
import { ErrorBox, Loading, Pager, UserErrors, usePager, useTimeZone } from '../shared/ui';
import { saveDownload } from './UsageReportsPage';

const History = graphql(`
  query ClientUsageHistory($first: Int!, $after: String, $range: DateRangeInput, $key: String, $mode: String, $status: UsageStatusFilter) {
    usageEvents(first: $first, after: $after, range: $range, key: $key, mode: $mode, status: $status) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id timestamp provider model status inputTokens outputTokens totalTokens
        cost { amount currencyCode } originalCost { amount currencyCode }
        dimensions { mode accountId }
        apiKey { label prefix }
        note { text updatedAt }
      }
    }
  }
`);

const Modes = graphql(`
  query ClientUsageModes { usageBreakdown(by: MODE, first: 100, range: { preset: LAST_90_DAYS }) { groups { key } } }
`);

const SetNote = graphql(`
  mutation ClientUsageNoteSet($eventId: ID!, $text: String!) {
    usageNoteSet(input: { eventId: $eventId, text: $text }) { event { id note { text updatedAt } } userErrors { code field message } }
  }
`);

const DeleteNote = graphql(`
  mutation ClientUsageNoteDelete($eventId: ID!) {
    usageNoteDelete(input: { eventId: $eventId }) { event { id note { text updatedAt } } userErrors { code field message } }
  }
`);

const PAGE = 25;

interface Filters { preset: DateRangePreset | ''; from: string; to: string; key: string; mode: string; status: UsageStatusFilter | '' }
const EMPTY: Filters = { preset: 'LAST_30_DAYS', from: '', to: '', key: '', mode: '', status: '' };

export function UsageHistoryPage() {
  const tz = useTimeZone();
  const pager = usePager();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const range: DateRangeInput | null = filters.from || filters.to ? { from: filters.from || null, to: filters.to || null } : filters.preset ? { preset: filters.preset } : null;
  const [{ data, error, fetching }] = useQuery({
    query: History,
    variables: { first: PAGE, after: pager.after, range, key: filters.key || null, mode: filters.mode || null, status: filters.status || null },
  });
  const [modes] = useQuery({ query: Modes });
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [setNote, doSetNote] = useMutation(SetNote);
  const [deleteNote, doDeleteNote] = useMutation(DeleteNote);
  const apply = (next: Filters) => { pager.reset(); setDraft(next); setFilters(next); };
  const submit = (e: FormEvent) => { e.preventDefault(); apply(draft); };
  const c = data?.usageEvents;
  const [exporting, setExporting] = useState<string | null>(null);
  // The export takes the list's filters (days in the viewer's zone, as the list reads them) and streams every matching event.
  const exportAs = (extension: 'csv' | 'json') => {
    const query = new URLSearchParams();
    if (filters.from || filters.to) { if (filters.from) query.set('from', filters.from); if (filters.to) query.set('to', filters.to); }
    else if (filters.preset) query.set('preset', filters.preset);
    if (filters.key) query.set('key', filters.key);
    if (filters.mode) query.set('mode', filters.mode);
    if (filters.status) query.set('status', filters.status);
    setExporting('Preparing…');
    saveDownload(`/v1/usage/export.${extension}?${query}`).then(() => setExporting(null), (e: unknown) => setExporting(e instanceof Error ? e.message : String(e)));
  };
  return (
    <>
      <h2>Usage history</h2>
      <form className="filters" onSubmit={submit} data-testid="usage-filters">
        <label>Time range
          <select name="preset" value={draft.preset} onChange={(e) => setDraft({ ...draft, preset: e.target.value as DateRangePreset | '' })}>
            <option value="LAST_7_DAYS">7 days</option>
            <option value="LAST_30_DAYS">30 days</option>
            <option value="LAST_90_DAYS">90 days</option>
          </select>
        </label>
        <label>From<input type="date" name="from" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} /></label>
        <label>To<input type="date" name="to" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} /></label>
        <label>Token name<input name="key" value={draft.key} onChange={(e) => setDraft({ ...draft, key: e.target.value })} placeholder="key label or prefix" /></label>
        <label>Mode
          <select name="mode" value={draft.mode} onChange={(e) => setDraft({ ...draft, mode: e.target.value })}>
            <option value="">All</option>
            {modes.data?.usageBreakdown.groups.map((g) => <option key={g.key} value={g.key}>{g.key}</option>)}
          </select>
        </label>
        <label>Status
          <select name="status" value={draft.status} onChange={(e) => setDraft({ ...draft, status: e.target.value as UsageStatusFilter | '' })}>
            <option value="">All</option>
            <option value="OK">ok</option>
            <option value="ERROR">error</option>
          </select>
        </label>
        <button type="submit">Apply</button>
        <button type="button" onClick={() => apply(EMPTY)}>Reset</button>
        <button type="button" data-testid="export-csv" onClick={() => exportAs('csv')}>Export CSV</button>
        <button type="button" data-testid="export-json" onClick={() => exportAs('json')}>Export JSON</button>
        {exporting && <span className="muted">{exporting}</span>}
      </form>
      <ErrorBox error={error ?? setNote.error ?? deleteNote.error} />
      <UserErrors errors={setNote.data?.usageNoteSet.userErrors ?? deleteNote.data?.usageNoteDelete.userErrors} />
      <Loading fetching={fetching && !data} />
      <section className="panel">
        <table data-testid="usage-table">
          <thead><tr><th>Timestamp</th><th>Model</th><th>API key</th><th>Mode</th><th className="num">Prompt</th><th className="num">Completion</th><th className="num">Total</th><th className="num">Cost</th><th>Status</th><th>Note</th></tr></thead>
          <tbody>
            {c?.nodes.map((e) => (
              <tr key={e.id}>
                <td>{formatDateTime(e.timestamp, tz)}</td>
                <td>{e.model} {e.note && <span className="badge" title={e.note.text}>note</span>}</td>
                <td>{e.apiKey ? <span className="badge" title={e.apiKey.prefix}>{e.apiKey.label || `${e.apiKey.prefix.slice(0, 10)}…`}</span> : '—'}</td>
                <td>{e.dimensions.mode ? <span className="badge">{e.dimensions.mode}</span> : '—'}</td>
                <td className="num">{formatNumber(e.inputTokens)}</td>
                <td className="num">{formatNumber(e.outputTokens)}</td>
                <td className="num"><strong>{formatNumber(e.totalTokens)}</strong></td>
                <td className="num" data-testid="event-cost">{eventCost(e.cost, e.originalCost)}</td>
                <td><span className={`badge ${e.status === 'ok' ? 'ok' : 'error'}`}>{e.status}</span></td>
                <td>
                  {editing?.id === e.id ? (
                    <>
                      <input aria-label="Note" value={editing.text} maxLength={1000} onChange={(x) => setEditing({ ...editing, text: x.target.value })} />
                      <button type="button" onClick={async () => {
                        const r = editing.text.trim()
                          ? (await doSetNote({ eventId: e.id, text: editing.text })).data?.usageNoteSet
                          : (await doDeleteNote({ eventId: e.id })).data?.usageNoteDelete;
                        if (r && r.userErrors.length === 0) setEditing(null);
                      }}>Save</button>
                      {e.note && <button type="button" onClick={async () => {
                        const r = (await doDeleteNote({ eventId: e.id })).data?.usageNoteDelete;
                        if (r && r.userErrors.length === 0) setEditing(null);
                      }}>Delete</button>}
                      <button type="button" onClick={() => setEditing(null)}>Cancel</button>
                    </>
                  ) : (
                    <button type="button" className="edit-note" title={e.note?.text ?? 'Add a note'} onClick={() => setEditing({ id: e.id, text: e.note?.text ?? '' })}>✎ {e.note ? e.note.text.slice(0, 20) : ''}</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager pager={pager} pageInfo={c?.pageInfo} totalCount={c?.totalCount} pageSize={PAGE} />
      </section>
    </>
  );
}

/** An event's cost in the billing currency with its priced amount as detail; priced but not converted yet, the priced amount and why. */
function eventCost(cost: MoneyLike | null | undefined, originalCost: MoneyLike | null | undefined): string {
  if (cost) return formatCost(cost, originalCost ? [originalCost] : [], 6);
  return originalCost ? `${formatCost(originalCost, [], 6)} (awaiting exchange rate)` : 'unpriced';
}
