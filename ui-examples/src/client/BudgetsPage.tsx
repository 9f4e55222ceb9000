import type { OrgContext } from './ClientApp';
export function BudgetsPage(_props: { org?: OrgContext }) {
  return <p>Budgets</p>;
}
