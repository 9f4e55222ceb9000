// Seed 003, the platform admin's usage monitoring: four overview cards, active alerts with
// acknowledge (new ones arrive live), and the tabs monthly summaries (search), recent activity
// (service filter) and service breakdown with the top 10 customers.
import { useEffect, useState } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import { formatCost, formatDate, formatDateTime, formatMoney, formatMoneyList, formatNumber, type MoneyLike } from '../shared/format';
import { Card, ErrorBox, Loading, Pager, Shell, TimeZoneContext, UserErrors, usePager, useTimeZone } from '../shared/ui';

const AdminViewer = graphql(`
  query AdminViewer {
    viewer { timeZone user { email displayName role } }
    providers { id displayName }
  }
`);

const Overview = graphql(`
  query AdminOverviewCards {
    adminOverview { month customers calls errorCalls activeAlerts asOf cost { amount currencyCode } originalCost { amount currencyCode } unconvertedCost { amount currencyCode } }
  }
`);

const ActiveAlerts = graphql(`
  query AdminActiveAlerts($first: Int!, $after: String) {
    alerts(status: ACTIVE, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id kind level subject message raisedAt organization { name } }
    }
  }
`);

const AlertRaised = graphql(`
  subscription AdminAlertRaised {
    alertRaised { id level subject organization { name } }
  }
`);

const Acknowledge = graphql(`
  mutation AdminAlertAcknowledge($id: ID!) {
    alertAcknowledge(input: { id: $id }) {
      alert { id acknowledgedAt acknowledgedBy { email } }
      userErrors { code field message }
    }
  }
`);

const Summaries = graphql(`
  query AdminMonthlySummaries($first: Int!, $after: String, $search: String) {
    customerMonthlySummaries(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        customer { id name }
        periodStart
        periodEnd
        calls
        errorCalls
        cost { amount currencyCode }
        originalCost { amount currencyCode }
        unconvertedCost { amount currencyCode }
        services { service unit quantity calls cost { amount currencyCode } originalCost { amount currencyCode } }
      }
    }
  }
`);

const Recent = graphql(`
  query AdminRecentActivity($service: String) {
    recentActivity(first: 50, service: $service) {
      asOf
      calls { time service model status success customer { name } usage { quantity unit } cost { amount currencyCode } originalCost { amount currencyCode } event { id } }
    }
  }
`);

const Breakdown = graphql(`
  query AdminServiceBreakdown {
    serviceBreakdown { month services { service unit quantity calls errorCalls cost { amount currencyCode } originalCost { amount currencyCode } } }
    topCustomers(first: 10) {
      currency
      customers { customer { id name } calls cost { amount currencyCode } originalCost { amount currencyCode } unconvertedCost { amount currencyCode } }
    }
  }
`);

const PAGE = 12;

/** Amounts left out of a figure for want of an exchange rate, said next to it rather than hidden: " + €3.10 not yet converted". */
function unconverted(list: readonly MoneyLike[]): string {
  return list.length === 0 ? '' : ` + ${formatMoneyList(list, 2)} not yet converted`;
}

export function AdminApp({ email, onSignOut }: { email: string; onSignOut: () => void }) {
  const [{ data, error }] = useQuery({ query: AdminViewer });
  const [tab, setTab] = useState<'summaries' | 'recent' | 'services'>('summaries');
  if (!data) return error ? <ErrorBox error={error} /> : <p className="muted">Loading…</p>;
  if (data.viewer.user.role !== 'PLATFORM_ADMIN') return <p className="error">The admin console is for platform admins. <button type="button" onClick={onSignOut}>Sign out</button></p>;
  return (
    <TimeZoneContext.Provider value={data.viewer.timeZone}>
      <Shell title="Usage Monitoring" nav={[]} current="/" user={`${email} · ${data.viewer.timeZone}`} onSignOut={onSignOut}>
        <OverviewCards />
        <AlertsSection />
        <div className="tabs" role="tablist">
          <button type="button" className={tab === 'summaries' ? 'active' : ''} onClick={() => setTab('summaries')}>Monthly Summaries</button>
          <button type="button" className={tab === 'recent' ? 'active' : ''} onClick={() => setTab('recent')}>Recent Activity</button>
          <button type="button" className={tab === 'services' ? 'active' : ''} onClick={() => setTab('services')}>Service Breakdown</button>
        </div>
        {tab === 'summaries' && <MonthlySummaries />}
        {tab === 'recent' && <RecentActivity providers={data.providers} />}
        {tab === 'services' && <ServiceBreakdownTab />}
      </Shell>
    </TimeZoneContext.Provider>
  );
}

function OverviewCards() {
  const [{ data, error }] = useQuery({ query: Overview });
  const o = data?.adminOverview;
  return (
    <>
      <ErrorBox error={error} />
      {o && (
        <div className="cards" data-testid="overview">
          <Card title="Customers" testId="overview-customers"><div className="big">{formatNumber(o.customers)}</div></Card>
          <Card title="Total cost this month" testId="overview-cost"><div className="big ok">{formatCost(o.cost, o.originalCost, 2)}{unconverted(o.unconvertedCost)}</div><div className="sub">{formatDate(o.month, { month: 'long', year: 'numeric' })}</div></Card>
          <Card title="API calls" testId="overview-calls"><div className="big">{formatNumber(o.calls)}</div><div className="sub">{formatNumber(o.errorCalls)} errors</div></Card>
          <Card title="Active alerts" testId="overview-alerts"><div className="big">{formatNumber(o.activeAlerts)}</div></Card>
        </div>
      )}
    </>
  );
}

function AlertsSection() {
  const tz = useTimeZone();
  const pager = usePager();
  const [{ data, error, fetching }, refetch] = useQuery({ query: ActiveAlerts, variables: { first: 10, after: pager.after } });
  const [ack, acknowledge] = useMutation(Acknowledge);
  // A pushed alert refreshes the list (and the overview's count) without a reload.
  const [live] = useSubscription({ query: AlertRaised });
  useEffect(() => {
    if (live.data) refetch({ requestPolicy: 'network-only' });
  }, [live.data]);
  const alerts = data?.alerts;
  return (
    <section className="panel" data-testid="alerts">
      <h3>Alerts {alerts ? `(${alerts.totalCount} active)` : ''}</h3>
      <ErrorBox error={error ?? ack.error} />
      <UserErrors errors={ack.data?.alertAcknowledge.userErrors} />
      <Loading fetching={fetching && !data} />
      {alerts && alerts.nodes.length === 0 && <p className="muted">No active alerts.</p>}
      {alerts?.nodes.map((a) => (
        <div key={a.id} className={`alert-banner level-${a.level.toLowerCase()}`} data-testid="admin-alert">
          <strong>{a.level}</strong> {a.organization.name} · {a.subject}: {a.message} <span className="muted">{formatDateTime(a.raisedAt, tz)}</span>{' '}
          <button type="button" disabled={ack.fetching} onClick={async () => {
            const result = await acknowledge({ id: a.id });
            if (result.data?.alertAcknowledge.alert) refetch({ requestPolicy: 'network-only' });
          }}>Acknowledge</button>
        </div>
      ))}
      {alerts && alerts.totalCount > 10 && <Pager pager={pager} pageInfo={alerts.pageInfo} totalCount={alerts.totalCount} pageSize={10} />}
    </section>
  );
}

function MonthlySummaries() {
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const pager = usePager();
  const [{ data, error, fetching }] = useQuery({ query: Summaries, variables: { first: PAGE, after: pager.after, search: applied || null } });
  const c = data?.customerMonthlySummaries;
  return (
    <section className="panel" data-testid="summaries">
      <form className="inline" onSubmit={(e) => { e.preventDefault(); pager.reset(); setApplied(search.trim()); }}>
        <label>Search customers<input name="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Customer name" /></label>
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={error} />
      <Loading fetching={fetching && !data} />
      <div className="cards">
        {c?.nodes.map((s) => (
          <Card key={s.customer.id} title={s.customer.name} testId="summary-card">
            <div className="sub">{formatDate(s.periodStart)} – {formatDate(s.periodEnd)}</div>
            <div className="big ok">{formatCost(s.cost, s.originalCost, 2)}{unconverted(s.unconvertedCost)}</div>
            <table>
              <tbody>
                {s.services.map((sv) => (
                  <tr key={sv.service}><td>{sv.service}</td><td className="num">{formatNumber(sv.quantity, 2)} {sv.unit}</td><td className="num">{formatCost(sv.cost, sv.originalCost, 2)}</td></tr>
                ))}
              </tbody>
            </table>
            <div className="sub">{formatNumber(s.calls)} calls ({formatNumber(s.errorCalls)} errors)</div>
          </Card>
        ))}
      </div>
      {c && c.nodes.length === 0 && <p className="muted">No customer matches.</p>}
      <Pager pager={pager} pageInfo={c?.pageInfo} totalCount={c?.totalCount} pageSize={PAGE} />
    </section>
  );
}

function RecentActivity({ providers }: { providers: readonly { id: string; displayName: string }[] }) {
  const tz = useTimeZone();
  const [service, setService] = useState('');
  const [{ data, error, fetching }] = useQuery({ query: Recent, variables: { service: service || null } });
  return (
    <section className="panel" data-testid="recent">
      <label>Service
        <select name="service" value={service} onChange={(e) => setService(e.target.value)}>
          <option value="">All</option>
          {providers.map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
        </select>
      </label>
      <ErrorBox error={error} />
      <Loading fetching={fetching} />
      <table>
        <thead><tr><th>Time</th><th>Customer</th><th>Service</th><th>Model</th><th className="num">Usage</th><th className="num">Cost</th><th>Status</th></tr></thead>
        <tbody>
          {data?.recentActivity.calls.map((c) => (
            <tr key={c.event.id} data-testid="recent-row">
              <td>{formatDateTime(c.time, tz)}</td>
              <td>{c.customer.name}</td>
              <td>{c.service}</td>
              <td>{c.model}</td>
              <td className="num">{c.usage.map((u) => `${formatNumber(u.quantity, 2)} ${u.unit}`).join(', ')}</td>
              <td className="num">{c.cost ? formatCost(c.cost, c.originalCost ? [c.originalCost] : [], 6) : c.originalCost ? `${formatMoney(c.originalCost, 6)} (not yet converted)` : 'unpriced'}</td>
              <td><span className={`badge ${c.success ? 'ok' : 'error'}`}>{c.success ? 'success' : c.status}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ServiceBreakdownTab() {
  const [{ data, error, fetching }] = useQuery({ query: Breakdown });
  return (
    <section className="panel" data-testid="services">
      <ErrorBox error={error} />
      <Loading fetching={fetching && !data} />
      {data && (
        <>
          <div className="cards">
            {data.serviceBreakdown.services.map((s) => (
              <Card key={s.service} title={s.service} testId="service-card">
                <div className="big">{formatNumber(s.quantity, 2)} {s.unit}</div>
                <div className="ok">{formatCost(s.cost, s.originalCost, 2)}</div>
                <div className="sub">{formatNumber(s.calls)} calls, {formatNumber(s.errorCalls)} errors</div>
              </Card>
            ))}
          </div>
          <h3>Top 10 customers by cost ({data.topCustomers.currency})</h3>
          <table>
            <thead><tr><th>#</th><th>Customer</th><th className="num">Cost</th><th className="num">Calls</th></tr></thead>
            <tbody>
              {data.topCustomers.customers.map((c, i) => (
                <tr key={c.customer.id} data-testid="top-customer"><td>{i + 1}</td><td>{c.customer.name}</td><td className="num">{formatCost(c.cost, c.originalCost, 2)}{unconverted(c.unconvertedCost)}</td><td className="num">{formatNumber(c.calls)}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
