import { useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import { formatDateTime } from '../shared/format';
import { ErrorBox, Shell, TimeZoneContext, useHashRoute } from '../shared/ui';
import { DashboardPage } from './DashboardPage';
import { BalancePage } from './BalancePage';
import { BillingPage } from './BillingPage';
import { BudgetsPage } from './BudgetsPage';
import { UsageHistoryPage } from './UsageHistoryPage';
import { UsageReportsPage } from './UsageReportsPage';
import { UsageControlsPage } from './UsageControlsPage';
import { InsightsPage } from './InsightsPage';
import { BusinessRulesPage } from './BusinessRulesPage';
import { ProfilePage } from './ProfilePage';
import { AllocationPage } from './AllocationPage';
import { InvoicesPage } from './InvoicesPage';

const ViewerQuery = graphql(`
  query ClientViewer {
    viewer {
      timeZone
      user { email displayName role }
      organization { id name billingCurrency }
    }
  }
`);

const AlertRaised = graphql(`
  subscription ClientAlertRaised {
    alertRaised { id kind level subject message raisedAt }
  }
`);

const NAV = [
  { path: '/', label: 'Dashboard' },
  { path: '/balance', label: 'Balance' },
  { path: '/billing', label: 'Billing' },
  { path: '/invoices', label: 'Invoices' },
  { path: '/budgets', label: 'Budgets' },
  { path: '/usage', label: 'Usage history' },
  { path: '/reports', label: 'Usage Reports' },
  { path: '/controls', label: 'Usage Controls' },
  { path: '/insights', label: 'Insights' },
  { path: '/allocation', label: 'Cost centers' },
  { path: '/rules', label: 'Business rules' },
  { path: '/profile', label: 'Profile' },
] as const;

export interface OrgContext {
  organizationId: string;
  currency: string;
  canManage: boolean;
  /** Reads the viewer again, e.g. after the profile's time zone changed. */
  refreshViewer: () => void;
}

type LiveAlert = { id: string; level: string; subject: string; message: string; raisedAt: string };

export function ClientApp({ email, onSignOut }: { email: string; onSignOut: () => void }) {
  const route = useHashRoute();
  const [viewer, refetchViewer] = useQuery({ query: ViewerQuery });
  const [dismissed, setDismissed] = useState<string[]>([]);
  // Alerts pushed over graphql-ws while the page is open, newest first; no reload, no polling.
  const [live] = useSubscription({ query: AlertRaised }, (previous: LiveAlert[] = [], data) => [data.alertRaised, ...previous].slice(0, 5));
  const v = viewer.data?.viewer;
  if (!v) return viewer.error ? <ErrorBox error={viewer.error} /> : <p className="muted">Loading…</p>;
  if (!v.organization) return <p className="error">This dashboard is for organization users; platform admins use the admin console.</p>;
  const org: OrgContext = { organizationId: v.organization.id, currency: v.organization.billingCurrency, canManage: v.user.role !== 'ORG_MEMBER', refreshViewer: () => refetchViewer({ requestPolicy: 'network-only' }) };
  const alerts = (live.data ?? []).filter((a) => !dismissed.includes(a.id));
  const banner = alerts.map((a) => (
    <div key={a.id} className={`alert-banner level-${a.level.toLowerCase()}`} data-testid="live-alert" role="status">
      <strong>{a.level}</strong> {a.subject}: {a.message} <span className="muted">({formatDateTime(a.raisedAt, v.timeZone)})</span>{' '}
      <button type="button" onClick={() => setDismissed([...dismissed, a.id])}>Dismiss</button>
    </div>
  ));
  let page;
  switch (route) {
    case '/balance': page = <BalancePage org={org} />; break;
    case '/billing': page = <BillingPage org={org} />; break;
    case '/invoices': page = <InvoicesPage />; break;
    case '/budgets': page = <BudgetsPage />; break;
    case '/usage': page = <UsageHistoryPage />; break;
    case '/reports': page = <UsageReportsPage />; break;
    case '/controls': page = <UsageControlsPage org={org} />; break;
    case '/insights': page = <InsightsPage />; break;
    case '/allocation': page = <AllocationPage org={org} />; break;
    case '/rules': page = <BusinessRulesPage org={org} />; break;
    case '/profile': page = <ProfilePage org={org} />; break;
    default: page = <DashboardPage />;
  }
  return (
    <TimeZoneContext.Provider value={v.timeZone}>
      <Shell title={v.organization.name} nav={NAV} current={route} user={`${v.user.displayName} (${email}) · ${v.timeZone}`} onSignOut={onSignOut} banner={banner}>
        {page}
      </Shell>
    </TimeZoneContext.Provider>
  );
}
