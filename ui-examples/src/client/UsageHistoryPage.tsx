import type { OrgContext } from './ClientApp';
export function UsageHistoryPage(_props: { org?: OrgContext }) {
  return <p>UsageHistory</p>;
}
