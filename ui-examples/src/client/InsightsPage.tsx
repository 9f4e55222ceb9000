import type { OrgContext } from './ClientApp';
export function InsightsPage(_props: { org?: OrgContext }) {
  return <p>Insights</p>;
}
