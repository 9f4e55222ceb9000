// Seed 002: budget cards (consumed, limit or unlimited, percent, colour band, reset countdown), the
// budget table, the 14-day chart, consumption by model and by mode (30 days), summary cards and the
// active API keys; seed 003's quotas are budgets too.
import { useEffect, useMemo, useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { BarChart } from '../shared/chart';
import { todayIn, shiftDays } from '../shared/dates';
import { countdown, formatDate, formatDateTime, formatMoney, formatNumber, percent } from '../shared/format';
import { Card, ErrorBox, Loading, Pager, ProgressBar, usePager, useTimeZone } from '../shared/ui';

const Budgets = graphql(`
  query ClientBudgets($first: Int!, $after: String) {
    budgets(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id name metric provider meter currency period scope scopeKey type enforcement thresholds
        status { consumed cost { amount currencyCode } limit remaining percent band resetsAt }
      }
    }
    budgetBands { name fromPercent }
  }
`);

const Activity = graphql(`
  query ClientBudgetActivity($days: DateRangeInput!) {
    usageTotals { lifetime { requests tokens } thisMonth { tokens } }
    usageSeries(granularity: DAY, range: $days) { buckets { date totals { tokens } } }
    byModel: usageBreakdown(by: MODEL, first: 20, range: { preset: LAST_30_DAYS }) { groups { key totals { tokens requests } } }
    byMode: usageBreakdown(by: MODE, first: 20, range: { preset: LAST_30_DAYS }) { groups { key totals { tokens requests } } }
    apiKeys(status: ACTIVE, first: 10) { totalCount nodes { id prefix label lastUsedAt } }
  }
`);

const PAGE = 12;

type Metric = 'COST' | 'TOKENS' | 'REQUESTS' | 'METER_UNITS';
/** A budget figure: money in the budget's currency (the billing currency) for COST budgets, a count otherwise. */
function quantity(value: string | null | undefined, metric: Metric, currency: string | null | undefined): string {
  if (value === null || value === undefined) return '∞';
  return metric === 'COST' && currency ? formatMoney({ amount: value, currencyCode: currency }, 2) : formatNumber(value, 2);
}

export function BudgetsPage() {
  const tz = useTimeZone();
  const pager = usePager();
  const [{ data, error, fetching }, refetch] = useQuery({ query: Budgets, variables: { first: PAGE, after: pager.after } });
  const [now, setNow] = useState(() => Date.now());
  // Seed 002: the cards refresh every 30 seconds (consumption and the reset countdowns).
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now());
      refetch({ requestPolicy: 'network-only' });
    }, 30_000);
    return () => clearInterval(timer);
  }, [refetch]);
  const today = todayIn(tz);
  const days = useMemo(() => ({ from: shiftDays(today, -13), to: today }), [today]);
  const [activity] = useQuery({ query: Activity, variables: { days } });
  const chart = useMemo((): ChartConfiguration<'bar'> | null => {
    const buckets = activity.data?.usageSeries.buckets;
    if (!buckets) return null;
    return {
      type: 'bar',
      data: {
        labels: buckets.map((b) => formatDate(b.date, { month: 'short', day: 'numeric' })),
        datasets: [{ label: 'Tokens per day', data: buckets.map((b) => Number(b.totals.tokens)), backgroundColor: '#2563eb' }],
      },
      options: { plugins: { legend: { display: false } } },
    };
  }, [activity.data]);
  const b = data?.budgets;
  return (
    <>
      <h2>Budgets</h2>
      <ErrorBox error={error} />
      <Loading fetching={fetching && !data} />
      {data && (
        <p className="muted">Bands: {data.budgetBands.map((band) => `${band.name} from ${band.fromPercent}%`).join(', ')}</p>
      )}
      <div className="cards" data-testid="budget-cards">
        {b?.nodes.map((budget) => (
          <Card key={budget.id} title={budget.name} testId="budget-card">
            <div className="big">{budget.status.cost ? formatMoney(budget.status.cost, 2) : quantity(budget.status.consumed, budget.metric, budget.currency)}</div>
            <div className="sub">of {quantity(budget.status.limit, budget.metric, budget.currency)} {budget.metric === 'TOKENS' ? 'tokens' : budget.metric === 'REQUESTS' ? 'requests' : budget.metric === 'METER_UNITS' ? budget.meter : ''} · {budget.period.toLowerCase()}{budget.provider ? ` · ${budget.provider}` : ''}{budget.scopeKey ? ` · ${budget.scope.toLowerCase()} ${budget.scopeKey}` : ''}</div>
            <ProgressBar percent={Number(budget.status.percent ?? 0)} band={budget.status.band} />
            <div className="sub">{percent(budget.status.percent)} · {budget.period === 'TOTAL' || budget.type === 'ONE_TIME' ? 'does not reset' : countdown(budget.status.resetsAt, now)}</div>
          </Card>
        ))}
      </div>
      {b && <Pager pager={pager} pageInfo={b.pageInfo} totalCount={b.totalCount} pageSize={PAGE} />}
      <section className="panel">
        <h3>Budget status</h3>
        <table>
          <thead><tr><th>Budget</th><th>Period</th><th className="num">Consumed</th><th className="num">Limit</th><th className="num">Remaining</th><th>Progress</th><th>Reset</th><th>Type</th></tr></thead>
          <tbody>
            {b?.nodes.map((budget) => (
              <tr key={budget.id}>
                <td>{budget.name}</td>
                <td>{budget.period.toLowerCase()}</td>
                <td className="num">{budget.status.cost ? formatMoney(budget.status.cost, 2) : quantity(budget.status.consumed, budget.metric, budget.currency)}</td>
                <td className="num">{quantity(budget.status.limit, budget.metric, budget.currency)}</td>
                <td className="num">{quantity(budget.status.remaining, budget.metric, budget.currency)}</td>
                <td style={{ minWidth: 120 }}><ProgressBar percent={Number(budget.status.percent ?? 0)} band={budget.status.band} /></td>
                <td>{budget.status.resetsAt ? formatDateTime(budget.status.resetsAt, tz) : '—'}</td>
                <td><span className="badge">{budget.type === 'ONE_TIME' ? 'One-time' : 'Subscription'}</span> {budget.enforcement === 'HARD' && <span className="badge">hard</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <ErrorBox error={activity.error} />
      {activity.data && (
        <>
          <div className="cards">
            <Card title="Total requests"><div className="big">{formatNumber(activity.data.usageTotals.lifetime.requests)}</div></Card>
            <Card title="Total tokens"><div className="big">{formatNumber(activity.data.usageTotals.lifetime.tokens)}</div></Card>
            <Card title="Tokens this month"><div className="big">{formatNumber(activity.data.usageTotals.thisMonth.tokens)}</div></Card>
          </div>
          <section className="panel">
            <h3>Last 14 days</h3>
            {chart && <BarChart config={chart} testId="budget-chart" height={200} />}
          </section>
          <div className="cards">
            {([['Consumption by model (30 days)', activity.data.byModel.groups], ['Consumption by mode (30 days)', activity.data.byMode.groups]] as const).map(([title, groups]) => (
              <section className="panel" key={title}>
                <h3>{title}</h3>
                <table>
                  <thead><tr><th>{title.includes('model') ? 'Model' : 'Mode'}</th><th className="num">Tokens</th><th className="num">Requests</th></tr></thead>
                  <tbody>{groups.map((g) => <tr key={g.key}><td>{g.key}</td><td className="num">{formatNumber(g.totals.tokens)}</td><td className="num">{formatNumber(g.totals.requests)}</td></tr>)}</tbody>
                </table>
              </section>
            ))}
          </div>
          <section className="panel">
            <h3>Active API keys ({activity.data.apiKeys.totalCount})</h3>
            <table>
              <thead><tr><th>Key prefix</th><th>Label</th><th>Last used</th></tr></thead>
              <tbody>{activity.data.apiKeys.nodes.map((k) => <tr key={k.id}><td><code>{k.prefix}…</code></td><td>{k.label}</td><td>{formatDateTime(k.lastUsedAt, tz)}</td></tr>)}</tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
