// Seed 000's main dashboard: current month usage and cost, weekly tokens, processed tokens,
// credits and plan tokens remaining with reset dates, and usage per Account ID (or its empty state).
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { formatCost, formatDate, formatMoney, formatNumber } from '../shared/format';
import { Card, ErrorBox, Loading } from '../shared/ui';

const DashboardQuery = graphql(`
  query ClientDashboard {
    usageTotals {
      weekFrom
      weekTo
      thisMonth { tokens inputTokens outputTokens requests unconvertedRequests cost { amount currencyCode } originalCost { amount currencyCode } }
      thisWeek { tokens requests }
    }
    usageProjection { monthStart monthEnd projectedMonthCost { amount currencyCode } projectedMonthOriginalCost { amount currencyCode } }
    balance {
      creditsRemaining { amount currencyCode }
      creditsResetDate
      planTokensRemaining
      planTokensResetDate
      topUpTokensAvailable
      plan { name monthlyTokens }
    }
    accountIdOverview { hasAccountIds hasActivityThisMonth withActivityThisMonthCount activeCount suspendedCount }
    usageBreakdown(by: ACCOUNT_ID, first: 10, orderBy: TOKENS, range: { preset: CURRENT_MONTH }) {
      totalCount
      groups { key tokenShare totals { tokens requests cost { amount currencyCode } originalCost { amount currencyCode } } }
    }
  }
`);

export function DashboardPage() {
  const [{ data, fetching, error }] = useQuery({ query: DashboardQuery });
  if (!data) return <><Loading fetching={fetching} /><ErrorBox error={error} /></>;
  const { usageTotals: t, balance: b, accountIdOverview: ids, usageBreakdown: byId, usageProjection: p } = data;
  return (
    <>
      <h2>Current Month Usage</h2>
      <ErrorBox error={error} />
      <div className="cards">
        <Card title="Usage" testId="month-usage">
          <div className="big" data-testid="month-requests">{formatNumber(t.thisMonth.requests)}</div>
          <div className="sub">calls, {formatDate(p.monthStart)} – {formatDate(p.monthEnd)}</div>
        </Card>
        <Card title="Estimated Cost" testId="month-cost">
          <div className="big" data-testid="month-cost-value">{formatCost(t.thisMonth.cost, t.thisMonth.originalCost, 2)}</div>
          <div className="sub">
            {t.thisMonth.unconvertedRequests > 0 && `${formatNumber(t.thisMonth.unconvertedRequests)} calls wait for an exchange rate · `}
            projected {formatCost(p.projectedMonthCost, p.projectedMonthOriginalCost, 2)}
          </div>
        </Card>
        <Card title="Weekly Token Usage" testId="week-usage">
          <div className="big" data-testid="week-tokens">{formatNumber(t.thisWeek.tokens)}</div>
          <div className="sub">{formatDate(t.weekFrom)} – {formatDate(t.weekTo)}</div>
        </Card>
        <Card title="Processed Tokens" testId="processed-tokens">
          <div className="big" data-testid="month-tokens">{formatNumber(t.thisMonth.tokens)}</div>
          <div className="sub">{formatNumber(t.thisMonth.inputTokens)} input · {formatNumber(t.thisMonth.outputTokens)} output this month</div>
        </Card>
        <Card title="Credits Remaining" testId="credits-remaining">
          <div className="big" data-testid="credits-value">{formatMoney(b.creditsRemaining, 2)}</div>
          <div className="sub">{b.creditsResetDate ? `resets ${formatDate(b.creditsResetDate)}` : 'credits do not reset'}</div>
        </Card>
        <Card title="Plan Tokens Remaining" testId="plan-tokens">
          <div className="big" data-testid="plan-tokens-value">{formatNumber(b.planTokensRemaining)}</div>
          <div className="sub">{b.plan.name} plan ({formatNumber(b.plan.monthlyTokens)} / month), resets {formatDate(b.planTokensResetDate)}; top-up {formatNumber(b.topUpTokensAvailable)}</div>
        </Card>
      </div>

      <section className="panel" data-testid="account-id-metrics">
        <h2>Account ID Metrics</h2>
        {!ids.hasActivityThisMonth ? (
          <div className="empty">
            <p>No Account IDs have generated activity for the current month yet. Tool users generate activity when they sign in to the tools workspace with an Account ID.</p>
            <p>
              <a href="#/controls">Open Usage Controls</a> · <a href={import.meta.env.VITE_TOOLS_URL ?? '/tools/'}>Open Tools Workspace</a>
            </p>
          </div>
        ) : (
          <>
            <p className="muted">{ids.withActivityThisMonthCount} Account IDs with activity this month ({ids.activeCount} active, {ids.suspendedCount} suspended); the 10 with the most tokens:</p>
            <table>
              <thead><tr><th>Account ID</th><th className="num">Tokens</th><th className="num">Share</th><th className="num">Requests</th><th className="num">Cost</th></tr></thead>
              <tbody>
                {byId.groups.map((g) => (
                  <tr key={g.key}>
                    <td>{g.key}</td>
                    <td className="num">{formatNumber(g.totals.tokens)}</td>
                    <td className="num">{g.tokenShare.toFixed(1)}%</td>
                    <td className="num">{formatNumber(g.totals.requests)}</td>
                    <td className="num">{formatCost(g.totals.cost, g.totals.originalCost, 2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}
