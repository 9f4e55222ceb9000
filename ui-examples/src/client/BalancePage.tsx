// Seed 001: balance to 6 decimals with healthy / low state and warning, estimated usage remaining,
// the last transactions (Relay pages of 25 from the newest 100) with the CSV download, and the
// 12-month and 30-day charts; Purchase Credits and token top-ups (Stripe Checkout).
import { useMemo, useState } from 'react';
import type { ChartConfiguration } from 'chart.js';
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { BarChart } from '../shared/chart';
import { formatCost, formatDate, formatDateTime, formatMoney, formatNumber, formatMoneyList } from '../shared/format';
import { Card, ErrorBox, Loading, Pager, usePager, useTimeZone } from '../shared/ui';
import { todayIn, shiftMonths } from '../shared/dates';
import { loadSession } from '../shared/session';
import { RedirectButton, creditAmountProblem, offeredActions, topUpLabel, useBillingMutations } from './BillingActions';
import type { OrgContext } from './ClientApp';

const BalanceQuery = graphql(`
  query ClientBalance {
    balance {
      current { amount currencyCode }
      state
      lowBalanceThreshold { amount currencyCode }
      totalPurchased { amount currencyCode }
      totalSpent { amount currencyCode }
      creditsUsed { amount currencyCode }
      otherCurrencyCharges { amount currencyCode }
      lastUpdatedAt
      estimatedUsageRemaining { provider model meter per remaining unitPrice { amount currencyCode } originalUnitPrice { amount currencyCode } }
    }
    usageTotals { lifetime { requests tokens images } averageCostPerRequest { amount currencyCode } }
    byService: usageBreakdown(by: PROVIDER, first: 20, range: { preset: CURRENT_MONTH }) {
      groups { key costShare totals { requests cost { amount currencyCode } originalCost { amount currencyCode } } }
    }
  }
`);

const TransactionsQuery = graphql(`
  query ClientTransactions($first: Int!, $after: String) {
    transactions(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id createdAt usageDay kind account service amount currencyCode tokens images description }
    }
  }
`);

const TrendQuery = graphql(`
  query ClientTrends($months: DateRangeInput!) {
    monthly: usageSeries(granularity: MONTH, range: $months) {
      buckets { date totals { tokens cost { amount currencyCode } } }
    }
    daily: usageSeries(granularity: DAY, range: { preset: LAST_30_DAYS }) {
      buckets { date totals { tokens cost { amount currencyCode } } }
    }
  }
`);

const PurchaseQuery = graphql(`
  query ClientPurchaseOptions {
    billing {
      configured
      subscriptionStatus
      topUpTokensAvailable
      creditPurchaseMaximum { amount currencyCode }
      topUpPacks { id tokens price { amount currencyCode } }
      actions { startSubscription changePlan buyTopUp buyCredits openPortal manageSubscription }
    }
  }
`);

const PAGE = 25;

export function BalancePage({ org }: { org: OrgContext }) {
  const tz = useTimeZone();
  const [{ data, fetching, error }, refresh] = useQuery({ query: BalanceQuery });
  return (
    <>
      <h2>Balance <button type="button" onClick={() => refresh({ requestPolicy: 'network-only' })}>Refresh data</button></h2>
      <Loading fetching={fetching && !data} />
      <ErrorBox error={error} />
      {data && (
        <>
          {data.balance.state === 'LOW' && (
            <div className="warning" role="alert" data-testid="low-balance">
              Low balance: {formatMoney(data.balance.current, 6)} is below {formatMoney(data.balance.lowBalanceThreshold, 2)}. Purchase credits to avoid interruptions.{' '}
              <button type="button" onClick={() => document.getElementById('purchase-credits')?.scrollIntoView({ behavior: 'smooth' })}>Click here to purchase credits</button>
            </div>
          )}
          <div className="cards">
            <Card title="Current Balance" testId="balance-current">
              <div className={`big ${data.balance.state === 'LOW' ? 'bad' : 'ok'}`} data-testid="balance-value">{formatMoney(data.balance.current, 6)}</div>
              <div className="sub">{data.balance.state === 'LOW' ? 'Low' : 'Healthy'} · last updated {formatDateTime(data.balance.lastUpdatedAt, tz)}</div>
            </Card>
            <Card title="Total Purchased"><div className="big">{formatMoney(data.balance.totalPurchased, 2)}</div></Card>
            <Card title="Total Spent">
              <div className="big">{formatMoney(data.balance.totalSpent, 2)}</div>
              {data.balance.otherCurrencyCharges.length > 0 && <div className="sub">plus {formatMoneyList(data.balance.otherCurrencyCharges, 2)} in other currencies</div>}
            </Card>
            <Card title="Credits Used"><div className="big">{formatMoney(data.balance.creditsUsed, 2)}</div></Card>
            <Card title="API Calls"><div className="big">{formatNumber(data.usageTotals.lifetime.requests)}</div></Card>
            <Card title="Tokens Used"><div className="big">{formatNumber(data.usageTotals.lifetime.tokens)}</div></Card>
            <Card title="Images Processed"><div className="big">{formatNumber(data.usageTotals.lifetime.images)}</div></Card>
            <Card title="Average per Call"><div className="big">{formatMoney(data.usageTotals.averageCostPerRequest, 6)}</div></Card>
          </div>
          <PurchasePanel org={org} />
          <section className="panel" data-testid="spend-by-service">
            <h3>Spending by service (this month)</h3>
            <table>
              <thead><tr><th>Service</th><th className="num">Calls</th><th className="num">Cost</th><th className="num">Share of cost</th></tr></thead>
              <tbody>
                {data.byService.groups.map((g) => (
                  <tr key={g.key}><td>{g.key}</td><td className="num">{formatNumber(g.totals.requests)}</td><td className="num">{formatCost(g.totals.cost, g.totals.originalCost, 2)}</td><td className="num">{g.costShare.toFixed(1)}%</td></tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel">
            <h3>Estimated Usage Remaining</h3>
            <table>
              <thead><tr><th>Meter</th><th>Price</th><th className="num">Remaining at current balance</th></tr></thead>
              <tbody>
                {data.balance.estimatedUsageRemaining.map((e) => (
                  <tr key={`${e.provider}/${e.model}/${e.meter}`}>
                    <td>{e.provider} {e.model} {e.meter}</td>
                    <td>{e.originalUnitPrice ? `${formatCost(e.unitPrice ?? e.originalUnitPrice, e.unitPrice ? [e.originalUnitPrice] : [])} per ${formatNumber(e.per)}` : 'no price'}</td>
                    <td className="num">{e.remaining === null || e.remaining === undefined ? (e.originalUnitPrice && !e.unitPrice ? 'n/a (no exchange rate yet)' : 'n/a') : formatNumber(e.remaining)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      <Trends org={org} />
      <Transactions />
    </>
  );
}

/** Seed 001's Purchase Credits (an amount up to `creditPurchaseMaximum`) and seed 000's token top-ups. */
function PurchasePanel({ org }: { org: OrgContext }) {
  const [{ data, error }] = useQuery({ query: PurchaseQuery });
  const mutations = useBillingMutations();
  const [amount, setAmount] = useState('');
  if (!data) return <ErrorBox error={error} />;
  const b = data.billing;
  const can = offeredActions(b, org.canManage);
  const maximum = b.creditPurchaseMaximum;
  return (
    <section className="panel" id="purchase-credits" data-testid="purchase-credits">
      <h3>Purchase Credits</h3>
      {!b.configured && <p className="notice">Payments are not set up on this server (no Stripe key), so credits and top-ups cannot be bought here.</p>}
      {can.buyCredits ? (
        <form className="inline" onSubmit={(e) => e.preventDefault()}>
          <label>Amount ({maximum.currencyCode})
            <input name="creditAmount" inputMode="decimal" autoComplete="off" placeholder="25.00" value={amount} onChange={(e) => setAmount(e.target.value)} />
          </label>
          {/* Keyed by the amount: a refusal of one amount disappears once the amount changes. */}
          <RedirectButton key={amount} label="Purchase credits" testId="purchase-credits-action"
            check={() => creditAmountProblem(amount, maximum)} start={() => mutations.credits(amount.trim())} />
        </form>
      ) : (
        <p className="muted">Only the organization's admins can buy credits and top-ups.</p>
      )}
      <p className="muted">Up to {formatMoney(maximum, 2)} per purchase, paid in Stripe Checkout. Top-up tokens available: {formatNumber(b.topUpTokensAvailable)}.</p>
      {can.buyTopUp && (
        <div className="actions">
          {b.topUpPacks.map((pack) => (
            <RedirectButton key={pack.id} label={`${topUpLabel(pack.tokens)} (${formatMoney(pack.price, 2)})`} testId={`balance-top-up-${pack.tokens}`} start={() => mutations.topUp(pack.id)} />
          ))}
        </div>
      )}
    </section>
  );
}

function Transactions() {
  const tz = useTimeZone();
  const pager = usePager();
  const [{ data, fetching, error }] = useQuery({ query: TransactionsQuery, variables: { first: PAGE, after: pager.after } });
  const [downloading, setDownloading] = useState<string | null>(null);
  async function download() {
    setDownloading('Preparing…');
    try {
      // The CSV is plain HTTP, not GraphQL: the same access token, fetched and saved as a file.
      const response = await fetch('/v1/transactions.csv', { headers: { Authorization: `Bearer ${loadSession('client')?.token ?? ''}` } });
      if (!response.ok) throw new Error(`Download failed (${response.status})`);
      const name = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') ?? '')?.[1] ?? 'transactions.csv';
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
    <section className="panel" data-testid="transactions">
      <h3>Recent Transactions <button type="button" onClick={download}>Download history (CSV)</button> {downloading && <span className="muted">{downloading}</span>}</h3>
      <ErrorBox error={error} />
      <Loading fetching={fetching && !data} />
      <table>
        <thead><tr><th>Date</th><th>Type</th><th>Account</th><th>Service</th><th className="num">Amount</th><th className="num">Tokens</th><th className="num">Images</th><th>Description</th></tr></thead>
        <tbody>
          {data?.transactions.nodes.map((t) => (
            <tr key={t.id}>
              {/* A usage entry sums one day's usage (a statement line): its day; anything else when it was posted. */}
              <td>{t.usageDay ? formatDate(t.usageDay) : formatDateTime(t.createdAt, tz)}</td>
              <td><span className={`badge ${t.kind}`}>{t.kind.toLowerCase()}</span></td>
              <td>{t.account}</td>
              <td>{t.service ?? '—'}</td>
              <td className={`num ${Number(t.amount) < 0 ? 'bad' : 'ok'}`}>{t.currencyCode ? formatMoney({ amount: String(Math.abs(Number(t.amount))), currencyCode: t.currencyCode }) : formatNumber(Math.abs(Number(t.amount)))}</td>
              <td className="num">{formatNumber(t.tokens)}</td>
              <td className="num">{formatNumber(t.images)}</td>
              <td title={t.description}>{t.description.length > 50 ? `${t.description.slice(0, 50)}…` : t.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager pager={pager} pageInfo={data?.transactions.pageInfo} totalCount={data?.transactions.totalCount} pageSize={PAGE} />
    </section>
  );
}

/** The currency a series' costs are in: every bucket's cost is in the organization's billing currency. */
function chartCurrency(buckets: readonly { totals: { cost: { currencyCode: string } } }[], billing: string): string {
  return buckets[0]?.totals.cost.currencyCode ?? billing;
}

function Trends({ org }: { org: OrgContext }) {
  const tz = useTimeZone();
  const today = todayIn(tz);
  const months = useMemo(() => ({ from: `${shiftMonths(today, -11).slice(0, 7)}-01`, to: today }), [today]);
  const [{ data, error }] = useQuery({ query: TrendQuery, variables: { months } });
  const monthly = useMemo((): ChartConfiguration<'bar'> | null => {
    if (!data) return null;
    const currency = chartCurrency(data.monthly.buckets, org.currency);
    return {
      type: 'bar',
      data: {
        labels: data.monthly.buckets.map((b) => formatDate(b.date, { month: 'short', year: 'numeric' })),
        datasets: [{ label: `Spending (${currency})`, data: data.monthly.buckets.map((b) => Number(b.totals.cost.amount)), backgroundColor: '#16a34a' }],
      },
      options: { plugins: { tooltip: { callbacks: { label: (c) => formatMoney({ amount: String(c.parsed.y), currencyCode: currency }) } } } },
    };
  }, [data, org.currency]);
  const daily = useMemo((): ChartConfiguration<'bar'> | null => {
    if (!data) return null;
    const buckets = data.daily.buckets;
    const currency = chartCurrency(buckets, org.currency);
    const values = buckets.map((b) => Number(b.totals.cost.amount));
    return {
      type: 'bar',
      data: {
        labels: buckets.map((b) => formatDate(b.date, { weekday: 'short' })),
        datasets: [{
          label: `Daily spending (${currency})`,
          data: values,
          backgroundColor: values.map((v) => (v > 0 ? '#2563eb' : '#9ca3af')),
          minBarLength: 3,
          maxBarThickness: 15,
        }],
      },
      options: {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: {
            title: (items) => formatDate(buckets[items[0]?.dataIndex ?? 0]?.date, { month: 'short', day: 'numeric' }),
            label: (c) => formatMoney({ amount: String(c.parsed.y), currencyCode: currency }),
          } },
        },
        scales: {
          x: { position: 'bottom' },
          days: { type: 'category', position: 'top', labels: buckets.map((b) => String(Number(b.date.slice(8)))), grid: { display: false } },
        },
      },
    };
  }, [data, org.currency]);
  return (
    <section className="panel">
      <ErrorBox error={error} />
      <h3>Monthly Usage Trend (last 12 months)</h3>
      {monthly && <BarChart config={monthly} testId="monthly-chart" />}
      <h3>Daily Usage Trend (last 30 days)</h3>
      {daily && <BarChart config={daily} testId="daily-chart" />}
    </section>
  );
}
