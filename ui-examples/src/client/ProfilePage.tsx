// Seed 000's profile: display name, phone, email, the time zone that drives every date on these
// pages, and the company (BILL TO) details organization admins maintain.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import type { ClientProfileQuery } from '../gql/graphql';
import { ErrorBox, UserErrors } from '../shared/ui';
import type { OrgContext } from './ClientApp';

const ProfileQuery = graphql(`
  query ClientProfile {
    profile { displayName email phone timeZone effectiveTimeZone pendingEmail { email } }
    timeZones
    companyDetails { companyName contactName billingEmail billingPhone addressLine1 addressLine2 city region postalCode country }
  }
`);

const UpdateProfile = graphql(`
  mutation ClientProfileUpdate($input: ProfileUpdateInput!) {
    profileUpdate(input: $input) { profile { displayName phone timeZone effectiveTimeZone } userErrors { code field message } }
  }
`);

const UpdateCompany = graphql(`
  mutation ClientCompanyDetailsUpdate($input: CompanyDetailsUpdateInput!) {
    companyDetailsUpdate(input: $input) { companyDetails { companyName updatedAt } userErrors { code field message } }
  }
`);

const COMPANY_FIELDS = [
  ['companyName', 'Company Name'], ['contactName', 'Contact Full Name'], ['billingEmail', 'Billing Email'], ['billingPhone', 'Billing Phone'],
  ['addressLine1', 'Address Line 1'], ['addressLine2', 'Address Line 2'], ['city', 'City'], ['region', 'State / Region'],
  ['postalCode', 'Postal Code'], ['country', 'Country'],
] as const;
type CompanyField = (typeof COMPANY_FIELDS)[number][0];

export function ProfilePage({ org }: { org: OrgContext }) {
  // network-only: the forms start from the server's current values, never from an older cached copy.
  const [{ data, error }, refetch] = useQuery({ query: ProfileQuery, requestPolicy: 'network-only' });
  if (!data) return <><ErrorBox error={error} />{!error && <p className="muted">Loading…</p>}</>;
  return <ProfileForms org={org} data={data} refresh={() => refetch({ requestPolicy: 'network-only' })} />;
}

/** Mounted once the data is loaded, so the forms start from it and later reads never undo edits. */
function ProfileForms({ org, data, refresh }: { org: OrgContext; data: ClientProfileQuery; refresh: () => void }) {
  const [profile, setProfile] = useState({ displayName: data.profile.displayName, phone: data.profile.phone ?? '', timeZone: data.profile.timeZone ?? '' });
  const [company, setCompany] = useState<Record<CompanyField, string>>(
    () => Object.fromEntries(COMPANY_FIELDS.map(([k]) => [k, data.companyDetails?.[k] ?? ''])) as Record<CompanyField, string>);
  const [profileResult, doUpdateProfile] = useMutation(UpdateProfile);
  const [companyResult, doUpdateCompany] = useMutation(UpdateCompany);
  const [message, setMessage] = useState('');
  async function saveProfile(e: FormEvent) {
    e.preventDefault();
    const r = await doUpdateProfile({ input: { displayName: profile.displayName, phone: profile.phone, timeZone: profile.timeZone || null } });
    if (r.data?.profileUpdate.userErrors.length === 0) {
      setMessage('Profile saved.');
      refresh();
      org.refreshViewer();
    }
  }
  async function saveCompany(e: FormEvent) {
    e.preventDefault();
    const input = Object.fromEntries(COMPANY_FIELDS.map(([k]) => [k, company[k].trim() || null]));
    const r = await doUpdateCompany({ input: { ...input, companyName: company.companyName, country: company.country } });
    if (r.data?.companyDetailsUpdate.userErrors.length === 0) setMessage('Company details saved.');
  }
  return (
    <>
      <h2>Profile & Business Details</h2>
      {message && <p className="ok" role="status">{message}</p>}
      <form className="panel" onSubmit={saveProfile} data-testid="profile-form">
        <h3>Profile</h3>
        <ErrorBox error={profileResult.error} />
        <UserErrors errors={profileResult.data?.profileUpdate.userErrors} />
        <div className="filters">
          <label>Display Name<input name="displayName" value={profile.displayName} onChange={(e) => setProfile({ ...profile, displayName: e.target.value })} /></label>
          <label>Phone<input name="phone" value={profile.phone} onChange={(e) => setProfile({ ...profile, phone: e.target.value })} /></label>
          <label>Email<input name="email" value={data.profile.email} readOnly /></label>
          <label>Timezone
            <select name="timeZone" value={profile.timeZone} onChange={(e) => setProfile({ ...profile, timeZone: e.target.value })}>
              <option value="">Organization default</option>
              {data.timeZones.map((z) => <option key={z} value={z}>{z}</option>)}
            </select>
          </label>
          <button type="submit">Save Profile</button>
        </div>
        <p className="muted">Dates and times show in {data.profile.effectiveTimeZone}.{data.profile.pendingEmail ? ` Pending email change to ${data.profile.pendingEmail.email}.` : ''}</p>
      </form>
      <form className="panel" onSubmit={saveCompany} data-testid="company-form">
        <h3>Company Details (invoice BILL TO)</h3>
        <ErrorBox error={companyResult.error} />
        <UserErrors errors={companyResult.data?.companyDetailsUpdate.userErrors} />
        <div className="filters">
          {COMPANY_FIELDS.map(([key, label]) => (
            <label key={key}>{label}<input name={key} value={company[key]} readOnly={!org.canManage} onChange={(e) => setCompany({ ...company, [key]: e.target.value })} /></label>
          ))}
          {org.canManage && <button type="submit">Save Company Details</button>}
        </div>
      </form>
    </>
  );
}
