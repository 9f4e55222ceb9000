// Seed 004: month usage against the monthly token budget, daily average, current and projected cost,
// model distribution, the 30-day forecast (conservative / likely / aggressive) and optimisation
// suggestions with their potential saving.
import { useQuery } from 'urql';
import { graphql } from '../gql';
import { formatCost, formatDate, formatMoney, formatNumber } from '../shared/format';
import { Card, ErrorBox, Loading, ProgressBar } from '../shared/ui';

const Insights = graphql(`
  query ClientInsights {
    usageTotals { thisMonth { tokens } dailyAverageTokensThisMonth }
    usageProjection {
      monthToDateCost { amount currencyCode } monthToDateOriginalCost { amount currencyCode }
      dailyAverageCost { amount currencyCode } dailyAverageOriginalCost { amount currencyCode }
      projectedMonthCost { amount currencyCode } projectedMonthOriginalCost { amount currencyCode }
      daysElapsed daysInMonth
    }
    budgets(scope: ORGANIZATION, first: 50) { nodes { name metric period provider status { limit percent band } } }
    usageBreakdown(by: MODEL, first: 10, orderBy: TOKENS, range: { preset: CURRENT_MONTH }) {
      totalCount
      groups { key tokenShare costShare totals { tokens cost { amount currencyCode } originalCost { amount currencyCode } } }
    }
    usageForecast(metric: TOKENS, days: 30) { historyFrom historyTo totals { conservative likely aggressive } }
    usageSuggestions { from to suggestions { kind title detail model alternativeModel potentialSaving { amount currencyCode } originalPotentialSaving { amount currencyCode } } }
  }
`);

export function InsightsPage() {
  const [{ data, error, fetching }] = useQuery({ query: Insights });
  if (!data) return <><Loading fetching={fetching} /><ErrorBox error={error} /></>;
  // The month's token limit is the organization's monthly TOKENS budget for all providers, if any.
  const monthly = data.budgets.nodes.find((b) => b.metric === 'TOKENS' && b.period === 'MONTH' && !b.provider);
  const p = data.usageProjection;
  return (
    <>
      <h2>Insights</h2>
      <ErrorBox error={error} />
      <div className="cards">
        <Card title="Monthly usage" testId="insight-month">
          <div className="big">{formatNumber(data.usageTotals.thisMonth.tokens)}{monthly?.status.limit ? ` / ${formatNumber(monthly.status.limit)}` : ''}</div>
          {monthly?.status.limit
            ? <><ProgressBar percent={Number(monthly.status.percent ?? 0)} band={monthly.status.band} /><div className="sub">{Number(monthly.status.percent ?? 0).toFixed(0)}% of {monthly.name}</div></>
            : <div className="sub">tokens; no monthly token budget set</div>}
        </Card>
        <Card title="Daily average"><div className="big">{formatNumber(data.usageTotals.dailyAverageTokensThisMonth)}</div><div className="sub">tokens per day, {formatCost(p.dailyAverageCost, p.dailyAverageOriginalCost, 2)}</div></Card>
        <Card title="Current cost"><div className="big">{formatCost(p.monthToDateCost, p.monthToDateOriginalCost, 2)}</div><div className="sub">{p.daysElapsed.toFixed(1)} of {p.daysInMonth} days</div></Card>
        <Card title="Projected"><div className="big">{formatCost(p.projectedMonthCost, p.projectedMonthOriginalCost, 2)}</div><div className="sub">for the whole month</div></Card>
      </div>
      <section className="panel" data-testid="model-distribution">
        <h3>Model distribution (this month, top 10 of {data.usageBreakdown.totalCount})</h3>
        <table>
          <thead><tr><th>Model</th><th className="num">Share</th><th className="num">Tokens</th><th className="num">Cost</th></tr></thead>
          <tbody>
            {data.usageBreakdown.groups.map((g) => (
              <tr key={g.key}><td>{g.key}</td><td className="num">{g.tokenShare.toFixed(0)}%</td><td className="num">{formatNumber(g.totals.tokens)}</td><td className="num">{formatCost(g.totals.cost, g.totals.originalCost, 2)}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel" data-testid="forecast">
        <h3>Next 30 days forecast (tokens)</h3>
        <div className="cards">
          <Card title="Conservative"><div className="big">{formatNumber(data.usageForecast.totals.conservative)}</div></Card>
          <Card title="Likely"><div className="big">{formatNumber(data.usageForecast.totals.likely)}</div></Card>
          <Card title="Aggressive"><div className="big">{formatNumber(data.usageForecast.totals.aggressive)}</div></Card>
        </div>
        <p className="muted">Based on {formatDate(data.usageForecast.historyFrom)} – {formatDate(data.usageForecast.historyTo)}.</p>
      </section>
      <section className="panel" data-testid="suggestions">
        <h3>Optimisation suggestions</h3>
        {data.usageSuggestions.suggestions.length === 0 && <p className="muted">No suggestions this month.</p>}
        <ul>
          {data.usageSuggestions.suggestions.map((s, i) => (
            <li key={i}><strong>{s.title}</strong> — {s.detail} <span className="ok">Potential savings: {s.potentialSaving ? formatCost(s.potentialSaving, [s.originalPotentialSaving], 2) : `${formatMoney(s.originalPotentialSaving, 2)} (no exchange rate yet)`}/month</span></li>
          ))}
        </ul>
      </section>
    </>
  );
}
