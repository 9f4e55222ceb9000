import type { OrgContext } from './ClientApp';
export function ProfilePage(_props: { org?: OrgContext }) {
  return <p>Profile</p>;
}
