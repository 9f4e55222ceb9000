import type { OrgContext } from './ClientApp';
export function UsageControlsPage(_props: { org?: OrgContext }) {
  return <p>UsageControls</p>;
}
