// Seed 000's Billing page: the current plan and its monthly price, monthly token usage, the next
// billing date and Stripe's subscription status, the payment method, the Billing Portal, subscription
// management (plan options, manage, cancel back to the free baseline) and token top-ups. One query
// (`billing`); each button asks for a Stripe URL and sends the browser there.
import { useQuery } from 'urql';
import { graphql } from '../gql';
import type { SubscriptionStatus } from '../gql/graphql';
import { formatDate, formatMoney, formatNumber } from '../shared/format';
import { Card, ErrorBox, Loading, ProgressBar } from '../shared/ui';
import { RedirectButton, isLive, offeredActions, topUpLabel, useBillingMutations } from './BillingActions';
import type { OrgContext } from './ClientApp';

const BillingQuery = graphql(`
  query ClientBilling {
    billing {
      configured
      plan { id name freeBaseline monthlyTokens }
      monthlyPrice { amount currencyCode }
      tokensUsedThisMonth
      tokensRemaining
      periodStart
      tokensResetDate
      nextBillingDate
      subscriptionStatus
      cancelAtPeriodEnd
      topUpTokensAvailable
      paymentMethod { brand last4 }
      planOptions { id name freeBaseline monthlyTokens stripePriceId monthlyPrice { amount currencyCode } }
      topUpPacks { id tokens price { amount currencyCode } }
      creditPurchaseMaximum { amount currencyCode }
      actions { startSubscription changePlan buyTopUp buyCredits openPortal manageSubscription }
    }
  }
`);

/** "PAST_DUE" as people say it: "Past due"; "visa" as "Visa". */
function capitalized(text: string): string {
  const words = text.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// The plan holds while Stripe retries these, so the user can still save it.
const TROUBLED: readonly SubscriptionStatus[] = ['PAST_DUE', 'UNPAID'];

/** The colour band of a usage share, as the budgets use them. */
function band(percent: number): string {
  if (percent >= 100) return 'red';
  if (percent >= 90) return 'orange';
  if (percent >= 75) return 'yellow';
  return 'green';
}

export function BillingPage({ org }: { org: OrgContext }) {
  const [{ data, fetching, error }, refresh] = useQuery({ query: BillingQuery });
  const mutations = useBillingMutations();
  // Stripe sends the browser back with ?checkout=success|cancelled (meterline.stripe.success-url / cancel-url).
  const checkout = new URLSearchParams(location.search).get('checkout');
  if (!data) return <><h2>Billing</h2><Loading fetching={fetching} /><ErrorBox error={error} /></>;
  const b = data.billing;
  const can = offeredActions(b, org.canManage);
  const allowance = b.plan.monthlyTokens;
  const usedPercent = allowance > 0 ? (b.tokensUsedThisMonth / allowance) * 100 : 0;
  const live = isLive(b.subscriptionStatus);
  return (
    <>
      <h2>Billing <button type="button" onClick={() => refresh({ requestPolicy: 'network-only' })}>Refresh data</button></h2>
      <ErrorBox error={error} />
      {checkout === 'success' && <p className="notice" role="status">Payment received by Stripe. The plan and balances update here as soon as Stripe confirms it (usually within seconds).</p>}
      {checkout === 'cancelled' && <p className="notice" role="status">Checkout was cancelled; nothing was charged.</p>}
      {!b.configured && (
        <p className="notice" data-testid="billing-not-configured">
          Payments are not set up on this server (no Stripe key), so nothing can be bought or changed here.
          {org.canManage ? ' The buttons below explain this when clicked; your plan, usage and balances are live.' : ' Your plan, usage and balances are live.'}
        </p>
      )}
      {!org.canManage && <p className="notice" data-testid="billing-read-only">You can read this page; only the organization's admins can pay or change the plan.</p>}
      {b.cancelAtPeriodEnd && (
        <p className="notice" role="status" data-testid="cancel-at-period-end">
          The subscription is cancelled and ends {b.nextBillingDate ? `on ${formatDate(b.nextBillingDate)}` : 'at the end of the period'}; the organization then returns to the free baseline. Plan options stay available.
        </p>
      )}
      {b.subscriptionStatus && TROUBLED.includes(b.subscriptionStatus) && (
        <p className="notice bad" role="status" data-testid="payment-trouble">
          The latest payment did not go through ({capitalized(b.subscriptionStatus)}). Update the payment method in the Billing Portal to keep the {b.plan.name} plan.
        </p>
      )}
      <div className="cards">
        <Card title="Current Plan" testId="billing-plan">
          <div className="big" data-testid="billing-plan-name">{b.plan.name}</div>
          <div className="sub"><span data-testid="billing-plan-price">{formatMoney(b.monthlyPrice, 2)}</span> per month · {formatNumber(allowance)} tokens a month</div>
        </Card>
        <Card title="Monthly Token Usage" testId="billing-usage">
          <div className="big" data-testid="billing-tokens-used">{formatNumber(b.tokensUsedThisMonth)}</div>
          <ProgressBar percent={usedPercent} band={band(usedPercent)} />
          <div className="sub"><span data-testid="billing-tokens-remaining">{formatNumber(b.tokensRemaining)}</span> remaining · {formatDate(b.periodStart)} – resets {formatDate(b.tokensResetDate)}</div>
        </Card>
        <Card title="Next Billing Date" testId="billing-next">
          <div className="big" data-testid="billing-next-date">{b.nextBillingDate ? formatDate(b.nextBillingDate) : 'None'}</div>
          <div className="sub">
            Subscription: <span className={`badge ${b.subscriptionStatus === 'ACTIVE' || b.subscriptionStatus === 'TRIALING' ? 'ok' : b.subscriptionStatus ? 'error' : ''}`} data-testid="billing-status">
              {b.subscriptionStatus ? capitalized(b.subscriptionStatus) : 'none (free baseline)'}
            </span>
            {b.cancelAtPeriodEnd && ' · ends at period end'}
          </div>
        </Card>
        <Card title="Payment Method" testId="billing-payment-method">
          <div className="big" data-testid="billing-card">{b.paymentMethod ? `${capitalized(b.paymentMethod.brand)} •••• ${b.paymentMethod.last4}` : 'None on file'}</div>
          <div className="sub">as Stripe last reported it</div>
        </Card>
      </div>

      <section className="panel" data-testid="billing-portal">
        <h3>Billing Portal Home</h3>
        <p className="muted">Stripe's billing home: invoices, payment methods and the customer's account details.</p>
        {can.openPortal && <div className="actions"><RedirectButton label="Open Billing Home" testId="portal-home" start={() => mutations.portal('HOME')} /></div>}
      </section>

      <section className="panel" data-testid="subscription-management">
        <h3>Subscription Management</h3>
        <p className="muted">Change plans in Stripe's managed subscription flow. A cancelled paid subscription falls back to the free baseline, and the plan options stay available.</p>
        {can.manageSubscription && (
          <div className="actions">
            <RedirectButton label="Manage Subscription" testId="manage-subscription" start={() => mutations.portal('SUBSCRIPTION_UPDATE')} />
            {!b.cancelAtPeriodEnd && <RedirectButton label="Cancel Subscription" testId="cancel-subscription" className="danger" start={() => mutations.portal('SUBSCRIPTION_CANCEL')} />}
          </div>
        )}
        <div className="table-scroll">
        <table data-testid="plan-options">
          <thead><tr><th>Plan</th><th className="num">Monthly price</th><th></th></tr></thead>
          <tbody>
            {b.planOptions.map((p) => (
              <tr key={p.id}>
                <td><span className="plan-name">{p.name}</span><div className="muted">{formatNumber(p.monthlyTokens)} tokens a month</div></td>
                <td className="num">{p.freeBaseline ? formatMoney({ amount: '0', currencyCode: b.monthlyPrice.currencyCode }, 2) : formatMoney(p.monthlyPrice, 2)}</td>
                <td>
                  {p.id === b.plan.id ? <span className="badge ok">Current plan</span>
                    : p.freeBaseline ? <span className="muted">{live ? 'Cancel to return to it' : 'Free baseline'}</span>
                    : !p.stripePriceId ? <span className="muted">Not sold online</span>
                    : can.changePlan ? <RedirectButton label="Change" testId={`plan-${p.name}`} start={() => mutations.subscribe(p.id)} />
                    : can.startSubscription ? <RedirectButton label="Choose" testId={`plan-${p.name}`} start={() => mutations.subscribe(p.id)} />
                    : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      </section>

      <section className="panel" data-testid="token-top-ups">
        <h3>Token Top-Ups</h3>
        <p className="muted">One-time tokens for when more usage is needed before the next plan reset; they never expire.</p>
        <p>Available top-up balance: <strong data-testid="top-up-balance">{formatNumber(b.topUpTokensAvailable)}</strong> tokens</p>
        {b.topUpPacks.length === 0 && <p className="muted">No top-up packs are on sale in {b.monthlyPrice.currencyCode}.</p>}
        {can.buyTopUp ? (
          <div className="actions">
            {b.topUpPacks.map((pack) => (
              <RedirectButton key={pack.id} label={`${topUpLabel(pack.tokens)} (${formatMoney(pack.price, 2)})`} testId={`top-up-${pack.tokens}`} start={() => mutations.topUp(pack.id)} />
            ))}
          </div>
        ) : (
          <ul>{b.topUpPacks.map((pack) => <li key={pack.id}>{formatNumber(pack.tokens)} tokens for {formatMoney(pack.price, 2)}</li>)}</ul>
        )}
      </section>
    </>
  );
}
