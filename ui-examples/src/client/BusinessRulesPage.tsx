// Seed 000: the organization's default service intervals, saved or cleared by organization admins.
import { useEffect, useState } from 'react';
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
  const tz = useTimeZone();
  const [{ data, error }, refetch] = useQuery({ query: Rules });
  const [text, setText] = useState('');
  const [save, doSave] = useMutation(Save);
  const [clear, doClear] = useMutation(Clear);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setText(data?.businessRules?.text ?? ''), [data?.businessRules?.text]);
  const rules = data?.businessRules;
  return (
    <section className="panel" data-testid="business-rules">
      <h2>Business Rules</h2>
      <ErrorBox error={error ?? save.error ?? clear.error} />
      <UserErrors errors={save.data?.businessRulesSave.userErrors ?? clear.data?.businessRulesClear.userErrors} />
      <label>Default Service Intervals
        <textarea name="rules" rows={12} value={text} onChange={(e) => setText(e.target.value)} readOnly={!org.canManage} placeholder="Paste the company maintenance schedule intervals" />
      </label>
      <p className="muted">{rules ? `Last changed ${formatDateTime(rules.updatedAt, tz)} by ${rules.updatedBy}` : 'Never saved.'} {saved}</p>
      {org.canManage && (
        <p>
          <button type="button" disabled={save.fetching} onClick={async () => {
            const r = await doSave({ text });
            if (r.data?.businessRulesSave.userErrors.length === 0) { setSaved('Saved.'); refetch({ requestPolicy: 'network-only' }); }
          }}>Save Business Rules</button>{' '}
          <button type="button" disabled={clear.fetching} onClick={async () => {
            const r = await doClear({});
            if (r.data?.businessRulesClear.userErrors.length === 0) { setSaved('Cleared.'); setText(''); refetch({ requestPolicy: 'network-only' }); }
          }}>Clear Rules</button>
        </p>
      )}
    </section>
  );
}
