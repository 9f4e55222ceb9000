import type { OrgContext } from './ClientApp';
export function BusinessRulesPage(_props: { org?: OrgContext }) {
  return <p>BusinessRules</p>;
}
