// Seed 000's Usage Controls: Account IDs for tool access. Create (typed or generated code) with a
// label and an optional daily token limit, suspend / reactivate, change label or limit, archive
// (history is kept). The table pages through the Relay connection, 20 at a time.
import { useState, type FormEvent } from 'react';
import { useClient, useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import type { AccountIdStatus } from '../gql/graphql';
import { formatDateTime, formatNumber } from '../shared/format';
import { ErrorBox, Loading, Pager, UserErrors, usePager, useTimeZone } from '../shared/ui';
import type { OrgContext } from './ClientApp';

const Overview = graphql(`
  query AccountIdOverview {
    accountIdOverview { hasAccountIds activeCount suspendedCount archivedCount withActivityThisMonthCount }
  }
`);

const List = graphql(`
  query AccountIdList($first: Int!, $after: String, $status: AccountIdStatus, $includeArchived: Boolean!, $search: String) {
    accountIds(first: $first, after: $after, status: $status, includeArchived: $includeArchived, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id code label status dailyTokenLimit tokensToday tokensThisMonth lastActivityAt createdAt }
    }
  }
`);

const GenerateCode = graphql(`
  query AccountIdGenerateCode { accountIdGenerateCode }
`);

const Create = graphql(`
  mutation AccountIdCreate($input: AccountIdCreateInput!) {
    accountIdCreate(input: $input) { accountId { id code } userErrors { code field message } }
  }
`);

const Update = graphql(`
  mutation AccountIdUpdate($input: AccountIdUpdateInput!) {
    accountIdUpdate(input: $input) { accountId { id label dailyTokenLimit } userErrors { code field message } }
  }
`);

const Suspend = graphql(`
  mutation AccountIdSuspend($id: ID!) {
    accountIdSuspend(input: { id: $id }) { accountId { id status } userErrors { code field message } }
  }
`);

const Reactivate = graphql(`
  mutation AccountIdReactivate($id: ID!) {
    accountIdReactivate(input: { id: $id }) { accountId { id status } userErrors { code field message } }
  }
`);

const Archive = graphql(`
  mutation AccountIdArchive($id: ID!) {
    accountIdArchive(input: { id: $id }) { accountId { id status } userErrors { code field message } }
  }
`);

const PAGE = 20;

type UserErrorList = readonly { message: string; field?: readonly string[] | null }[];

export function UsageControlsPage({ org }: { org: OrgContext }) {
  const tz = useTimeZone();
  const client = useClient();
  const pager = usePager();
  const [status, setStatus] = useState<AccountIdStatus | ''>('');
  const [searchText, setSearchText] = useState('');
  const [search, setSearch] = useState('');
  const [overview, refetchOverview] = useQuery({ query: Overview });
  const [list, refetchList] = useQuery({
    query: List,
    variables: { first: PAGE, after: pager.after, status: status || null, includeArchived: status === 'ARCHIVED', search: search || null },
  });
  const [code, setCode] = useState('');
  const [label, setLabel] = useState('');
  const [limit, setLimit] = useState('');
  const [errors, setErrors] = useState<UserErrorList>([]);
  const [editing, setEditing] = useState<{ id: string; label: string; limit: string } | null>(null);
  const [create, doCreate] = useMutation(Create);
  const [, doUpdate] = useMutation(Update);
  const [, doSuspend] = useMutation(Suspend);
  const [, doReactivate] = useMutation(Reactivate);
  const [, doArchive] = useMutation(Archive);

  const refresh = () => {
    refetchList({ requestPolicy: 'network-only' });
    refetchOverview({ requestPolicy: 'network-only' });
  };
  async function act(run: () => Promise<{ userErrors: UserErrorList } | undefined>) {
    const payload = await run();
    setErrors(payload?.userErrors ?? []);
    if (payload && payload.userErrors.length === 0) refresh();
    return payload !== undefined && payload.userErrors.length === 0;
  }
  async function generate() {
    const result = await client.query(GenerateCode, {}, { requestPolicy: 'network-only' }).toPromise();
    if (result.data) setCode(result.data.accountIdGenerateCode);
  }
  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await act(async () => (await doCreate({ input: { code: code.trim() || null, label, dailyTokenLimit: limit ? Number(limit) : null } })).data?.accountIdCreate);
    if (ok) { setCode(''); setLabel(''); setLimit(''); }
  }
  const o = overview.data?.accountIdOverview;
  const c = list.data?.accountIds;
  return (
    <>
      <h2>Usage Controls — Account IDs</h2>
      {o && (
        <p className="muted" data-testid="account-id-overview">
          {o.activeCount} active · {o.suspendedCount} suspended · {o.archivedCount} archived · {o.withActivityThisMonthCount} with activity this month
        </p>
      )}
      {o && !o.hasAccountIds && (
        <section className="panel empty">
          <h3>Create your first Account ID</h3>
          <p>Each team member signs in to the tools workspace with an Account ID. Create one Account ID per person, role or bay, so usage and billing reports say who used what.</p>
          <p><a href="#/">Back to the overview</a> · <a href={import.meta.env.VITE_TOOLS_URL ?? '/tools/'}>Open Tools Workspace</a></p>
        </section>
      )}
      {org.canManage && (
        <section className="panel">
          <form className="inline" onSubmit={submit} data-testid="account-id-form">
            <label>Account ID<input name="code" value={code} onChange={(e) => setCode(e.target.value.toUpperCase())} placeholder="typed or generated" /></label>
            <button type="button" onClick={generate}>Generate</button>
            <label>User Name<input name="label" value={label} onChange={(e) => setLabel(e.target.value)} required /></label>
            <label>Daily token limit<input name="dailyTokenLimit" type="number" min="1" value={limit} onChange={(e) => setLimit(e.target.value)} placeholder="unlimited" /></label>
            <button type="submit" disabled={create.fetching}>Create Account ID</button>
          </form>
          <ErrorBox error={create.error} />
          <UserErrors errors={errors} />
        </section>
      )}
      <section className="panel">
        <form className="filters" onSubmit={(e) => { e.preventDefault(); pager.reset(); setSearch(searchText.trim()); }}>
          <label>Search<input name="search" value={searchText} onChange={(e) => setSearchText(e.target.value)} placeholder="code or label" /></label>
          <button type="submit">Search</button>
          <label>Status
            <select name="status" value={status} onChange={(e) => { pager.reset(); setStatus(e.target.value as AccountIdStatus | ''); }}>
              <option value="">Active and suspended</option>
              <option value="ACTIVE">Active</option>
              <option value="SUSPENDED">Suspended</option>
              <option value="ARCHIVED">Archived</option>
            </select>
          </label>
        </form>
        <ErrorBox error={list.error} />
        <Loading fetching={list.fetching && !list.data} />
        <table data-testid="account-id-table">
          <thead><tr><th>Account ID</th><th>Label</th><th>Status</th><th className="num">Daily Token Limit</th><th className="num">Today</th><th className="num">This month</th><th>Last activity</th><th>Actions</th></tr></thead>
          <tbody>
            {c?.nodes.map((a) => (
              <tr key={a.id}>
                <td><code>{a.code}</code></td>
                <td>{editing?.id === a.id ? <input aria-label="Label" value={editing.label} onChange={(e) => setEditing({ ...editing, label: e.target.value })} /> : a.label}</td>
                <td><span className={`badge ${a.status}`}>{a.status}</span></td>
                <td className="num">{editing?.id === a.id
                  ? <input aria-label="Daily token limit" type="number" min="1" value={editing.limit} placeholder="unlimited" onChange={(e) => setEditing({ ...editing, limit: e.target.value })} />
                  : a.dailyTokenLimit === null || a.dailyTokenLimit === undefined ? 'Unlimited' : formatNumber(a.dailyTokenLimit)}</td>
                <td className="num">{formatNumber(a.tokensToday)}</td>
                <td className="num">{formatNumber(a.tokensThisMonth)}</td>
                <td>{formatDateTime(a.lastActivityAt, tz)}</td>
                <td>
                  {org.canManage && a.status !== 'ARCHIVED' && (editing?.id === a.id ? (
                    <>
                      <button type="button" onClick={async () => {
                        const ok = await act(async () => (await doUpdate({ input: { id: a.id, label: editing.label, dailyTokenLimit: editing.limit ? Number(editing.limit) : null, unlimited: !editing.limit } })).data?.accountIdUpdate);
                        if (ok) setEditing(null);
                      }}>Save</button>
                      <button type="button" onClick={() => setEditing(null)}>Cancel</button>
                    </>
                  ) : (
                    <>
                      <button type="button" onClick={() => setEditing({ id: a.id, label: a.label, limit: a.dailyTokenLimit?.toString() ?? '' })}>Edit</button>
                      {a.status === 'ACTIVE'
                        ? <button type="button" onClick={() => act(async () => (await doSuspend({ id: a.id })).data?.accountIdSuspend)}>Suspend</button>
                        : <button type="button" onClick={() => act(async () => (await doReactivate({ id: a.id })).data?.accountIdReactivate)}>Reactivate</button>}
                      <button type="button" onClick={() => confirm(`Archive ${a.code}? Its usage history is kept.`) && act(async () => (await doArchive({ id: a.id })).data?.accountIdArchive)}>Archive</button>
                    </>
                  ))}
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
