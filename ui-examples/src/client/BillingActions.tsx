// The Stripe actions the Billing page (seed 000) and the Balance page (seed 001) share: each button
// asks the API for a Stripe URL (Checkout or the Billing Portal) and sends the browser there; a
// refusal (a user error such as BILLING_NOT_CONFIGURED, or a top-level error) is shown next to it.
import { useState } from 'react';
import { useClient, type CombinedError } from 'urql';
import { graphql } from '../gql';
import type { BillingPortalFlow, SubscriptionStatus } from '../gql/graphql';
import { LOCALE, formatMoney, formatNumber, type MoneyLike } from '../shared/format';

const SubscriptionCheckout = graphql(`
  mutation ClientSubscriptionCheckout($planId: ID!) {
    subscriptionCheckoutCreate(input: { planId: $planId }) { url userErrors { code field message } }
  }
`);
const TopUpCheckout = graphql(`
  mutation ClientTopUpCheckout($packId: ID!) {
    topUpCheckoutCreate(input: { packId: $packId }) { url userErrors { code field message } }
  }
`);
const CreditsCheckout = graphql(`
  mutation ClientCreditsCheckout($amount: Decimal!) {
    creditsCheckoutCreate(input: { amount: $amount }) { url userErrors { code field message } }
  }
`);
const PortalSession = graphql(`
  mutation ClientBillingPortal($flow: BillingPortalFlow!) {
    billingPortalSessionCreate(input: { flow: $flow }) { url userErrors { code field message } }
  }
`);

interface Redirect {
  url?: string | null;
  userErrors: readonly { code: string; message: string }[];
}

/** What a click answered: the payload, or the client's or server's fault (FORBIDDEN, a network failure). */
export interface RedirectAnswer {
  payload: Redirect | undefined;
  error: CombinedError | undefined;
}

/** The four Stripe mutations, each answering where to send the browser. */
export function useBillingMutations() {
  const client = useClient();
  return {
    subscribe: (planId: string): Promise<RedirectAnswer> =>
      client.mutation(SubscriptionCheckout, { planId }).toPromise().then((r) => ({ payload: r.data?.subscriptionCheckoutCreate, error: r.error })),
    topUp: (packId: string): Promise<RedirectAnswer> =>
      client.mutation(TopUpCheckout, { packId }).toPromise().then((r) => ({ payload: r.data?.topUpCheckoutCreate, error: r.error })),
    credits: (amount: string): Promise<RedirectAnswer> =>
      client.mutation(CreditsCheckout, { amount }).toPromise().then((r) => ({ payload: r.data?.creditsCheckoutCreate, error: r.error })),
    portal: (flow: BillingPortalFlow): Promise<RedirectAnswer> =>
      client.mutation(PortalSession, { flow }).toPromise().then((r) => ({ payload: r.data?.billingPortalSessionCreate, error: r.error })),
  };
}

interface Refusal {
  code: string;
  message: string;
}

/** A refusal in plain words: the user errors' sentences, else the top-level error's. */
function refusalOf(answer: RedirectAnswer): Refusal | null {
  const userErrors = answer.payload?.userErrors ?? [];
  if (userErrors.length > 0) return { code: userErrors.map((e) => e.code).join(' '), message: userErrors.map((e) => e.message).join(' ') };
  if (answer.error) {
    const graphQLError = answer.error.graphQLErrors[0];
    const code = graphQLError?.extensions?.code;
    return { code: typeof code === 'string' ? code : 'ERROR', message: graphQLError?.message ?? answer.error.message };
  }
  if (!answer.payload?.url) return { code: 'ERROR', message: 'The server answered no Stripe address; try again.' };
  return null;
}

/**
 * A button that starts a Stripe action. `check` may refuse before anything is sent (client-side
 * validation); the server's answer is authoritative either way.
 */
export function RedirectButton({ label, start, testId, check, className }: {
  label: string;
  start: () => Promise<RedirectAnswer>;
  testId?: string;
  check?: () => string | null;
  className?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  async function click() {
    const invalid = check?.() ?? null;
    if (invalid) {
      setRefusal({ code: 'INVALID_INPUT', message: invalid });
      return;
    }
    setBusy(true);
    setRefusal(null);
    try {
      const answer = await start();
      const refused = refusalOf(answer);
      if (refused) {
        setRefusal(refused);
        setBusy(false);
        return;
      }
      // Stays busy: the browser is leaving for Stripe and a second click would open a second session.
      window.location.assign(answer.payload?.url ?? '');
    } catch (e) {
      setRefusal({ code: 'ERROR', message: e instanceof Error ? e.message : String(e) });
      setBusy(false);
    }
  }
  return (
    <span className={`action ${className ?? ''}`} data-testid={testId}>
      <button type="button" disabled={busy} onClick={click}>{busy ? `${label}…` : label}</button>
      {refusal && <span className="action-error error" role="alert" data-code={refusal.code}>{refusal.message}</span>}
    </span>
  );
}

/** The part of `billing` deciding which buttons a page offers. */
export interface BillingOffer {
  configured: boolean;
  subscriptionStatus?: SubscriptionStatus | null;
  topUpPacks: readonly unknown[];
  actions: {
    startSubscription: boolean;
    changePlan: boolean;
    buyTopUp: boolean;
    buyCredits: boolean;
    openPortal: boolean;
    manageSubscription: boolean;
  };
}

/** Statuses that still hold the organization on its plan (a live subscription); the schema's SubscriptionStatus descriptions. */
const LIVE: readonly SubscriptionStatus[] = ['TRIALING', 'ACTIVE', 'PAST_DUE', 'UNPAID'];

/** Whether a subscription still holds the organization on its plan (so cancelling it returns to the free baseline). */
export function isLive(status: SubscriptionStatus | null | undefined): boolean {
  return status != null && LIVE.includes(status);
}

/**
 * Which buttons to show. With Stripe configured, exactly what `actions` says. Without it the API
 * answers every action false (nothing can be paid), yet an admin should see the buttons a paying
 * server offers and, on a click, the server's BILLING_NOT_CONFIGURED explanation rather than a page
 * that silently lacks them. Members see none either way.
 */
export function offeredActions(billing: BillingOffer, canManage: boolean): BillingOffer['actions'] {
  if (billing.configured || !canManage) return billing.actions;
  const live = isLive(billing.subscriptionStatus);
  return {
    startSubscription: !live,
    changePlan: live,
    buyTopUp: billing.topUpPacks.length > 0,
    buyCredits: true,
    openPortal: true,
    manageSubscription: live,
  };
}

/** The label seed 000 gives a pack: "Buy 1,000,000 Tokens". */
export function topUpLabel(tokens: number): string {
  return `Buy ${formatNumber(tokens)} Tokens`;
}

/** The fraction digits a currency's amounts have (2 for CAD, 0 for JPY). */
function currencyDigits(currency: string): number {
  return new Intl.NumberFormat(LOCALE, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Checks a credit amount as the API will (`creditsCheckoutCreate`: above zero, at most the maximum,
 * the currency's decimals), so the user learns before a round trip; null when it is acceptable.
 */
export function creditAmountProblem(text: string, maximum: MoneyLike): string | null {
  const amount = text.trim();
  const digits = currencyDigits(maximum.currencyCode);
  if (!/^\d+(\.\d+)?$/.test(amount)) return `Enter an amount in ${maximum.currencyCode}, such as ${digits > 0 ? '25.00' : '2500'}.`;
  const fraction = amount.split('.')[1] ?? '';
  if (fraction.length > digits) return digits === 0 ? `${maximum.currencyCode} amounts are whole numbers.` : `${maximum.currencyCode} amounts have at most ${digits} decimals.`;
  if (Number(amount) <= 0) return 'Enter an amount above zero.';
  if (Number(amount) > Number(maximum.amount)) return `At most ${formatMoney(maximum, digits)} per purchase.`;
  return null;
}
