// Seed 000: the organization's default service intervals, saved or cleared by organization admins.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import { formatDateTime } from '../shared/format';
import { ErrorBox, UserErrors, useTimeZone } from '../shared/ui';
import type { OrgContext } from './ClientApp';

const Rules = graphql(`
  query ClientBusinessRules { businessRules { text updatedAt updatedBy } }
`);
const Save = graphql(`
  mutation ClientBusinessRulesSave($text: String!) {
    businessRulesSave(input: { text: $text }) { businessRules { text updatedAt updatedBy } userErrors { code field message } }
  }
`);
const Clear = graphql(`
  mutation ClientBusinessRulesClear {
    businessRulesClear { businessRules { text updatedAt updatedBy } userErrors { code field message } }
  }
`);

export function BusinessRulesPage({ org }: { org: OrgContext }) {
  // network-only: the editor starts from the server's current text, never from an older cached copy.
  const [{ data, error }, refetch] = useQuery({ query: Rules, requestPolicy: 'network-only' });
  if (!data) return <><ErrorBox error={error} />{!error && <p className="muted">Loading…</p>}</>;
  return <RulesEditor org={org} rules={data.businessRules ?? null} refresh={() => refetch({ requestPolicy: 'network-only' })} />;
}

/** Mounted once the rules are loaded, so the text area starts from them and later reads never undo edits. */
function RulesEditor({ org, rules, refresh }: { org: OrgContext; rules: { text?: string | null; updatedAt: string; updatedBy: string } | null; refresh: () => void }) {
  const tz = useTimeZone();
  const [text, setText] = useState(rules?.text ?? '');
  const [save, doSave] = useMutation(Save);
  const [clear, doClear] = useMutation(Clear);
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <section className="panel" data-testid="business-rules">
      <h2>Business Rules</h2>
      <ErrorBox error={save.error ?? clear.error} />
      <UserErrors errors={save.data?.businessRulesSave.userErrors ?? clear.data?.businessRulesClear.userErrors} />
      <label>Default Service Intervals
        <textarea name="rules" rows={12} value={text} onChange={(e) => setText(e.target.value)} readOnly={!org.canManage} placeholder="Paste the company maintenance schedule intervals" />
      </label>
      <p className="muted">{rules ? `Last changed ${formatDateTime(rules.updatedAt, tz)} by ${rules.updatedBy}` : 'Never saved.'} {saved && <strong role="status">{saved}</strong>}</p>
      {org.canManage && (
        <p>
          <button type="button" disabled={save.fetching} onClick={async () => {
            const r = await doSave({ text });
            if (r.data?.businessRulesSave.userErrors.length === 0) { setSaved('Saved.'); refresh(); }
          }}>Save Business Rules</button>{' '}
          <button type="button" disabled={clear.fetching} onClick={async () => {
            const r = await doClear({});
            if (r.data?.businessRulesClear.userErrors.length === 0) { setSaved('Cleared.'); setText(''); refresh(); }
          }}>Clear Rules</button>
        </p>
      )}
    </section>
  );
}
