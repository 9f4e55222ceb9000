// Seed 004 reports: cost-center allocation. Usage of any period shared out to the organization's cost
// centers by its allocation rules (Account ID over project over team over department), with the
// unallocated bucket; the lines add up exactly to the total. Organization admins manage cost centers
// and rules here; members read.
import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../gql';
import type { AllocationDimension } from '../gql/graphql';
import { todayIn } from '../shared/dates';
import { formatCost, formatNumber } from '../shared/format';
import { ErrorBox, Loading, UserErrors, useTimeZone } from '../shared/ui';
import type { OrgContext } from './ClientApp';

const Allocation = graphql(`
  query ClientCostAllocation($range: DateRangeInput) {
    costAllocation(range: $range) {
      from to timeZone asOf
      costCenters { costCenter { id code name archived } cost { amount currencyCode } originalCost { amount currencyCode } tokens requests }
      unallocated { cost { amount currencyCode } originalCost { amount currencyCode } tokens requests }
      total { cost { amount currencyCode } originalCost { amount currencyCode } tokens requests }
    }
    allocationRules(first: 100) { totalCount nodes { id dimension value splits { costCenter { code } percent } } }
  }
`);
const CreateCostCenter = graphql(`
  mutation ClientCostCenterCreate($input: CostCenterCreateInput!) {
    costCenterCreate(input: $input) { costCenter { id code } userErrors { code field message } }
  }
`);
const SetRule = graphql(`
  mutation ClientAllocationRuleSet($input: AllocationRuleSetInput!) {
    allocationRuleSet(input: $input) { allocationRule { id } userErrors { code field message } }
  }
`);
const DeleteRule = graphql(`
  mutation ClientAllocationRuleDelete($id: ID!) {
    allocationRuleDelete(input: { id: $id }) { allocationRule { id } userErrors { code field message } }
  }
`);

const DIMENSIONS: AllocationDimension[] = ['ACCOUNT_ID', 'PROJECT', 'TEAM', 'DEPARTMENT'];

export function AllocationPage({ org }: { org: OrgContext }) {
  const tz = useTimeZone();
  const today = todayIn(tz);
  const [from, setFrom] = useState(`${today.slice(0, 8)}01`);
  const [to, setTo] = useState(today);
  const [{ data, error, fetching }, refetch] = useQuery({ query: Allocation, variables: { range: { from, to } } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const report = data?.costAllocation;
  return (
    <>
      <h2>Cost-center allocation</h2>
      <section className="panel">
        <label>From <input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} /></label>{' '}
        <label>To <input type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} /></label>
      </section>
      <ErrorBox error={error} />
      <Loading fetching={fetching} />
      {report && (
        <section className="panel" data-testid="cost-allocation">
          <h3>{report.from} to {report.to} ({report.timeZone})</h3>
          <table>
            <thead><tr><th>Code</th><th>Cost center</th><th className="num">Cost</th><th className="num">Tokens</th><th className="num">Requests</th></tr></thead>
            <tbody>
              {report.costCenters.map((line) => (
                <tr key={line.costCenter?.id} data-testid="allocation-row">
                  <td>{line.costCenter?.code}</td>
                  <td>{line.costCenter?.name}{line.costCenter?.archived ? ' (archived)' : ''}</td>
                  <td className="num">{formatCost(line.cost, line.originalCost)}</td>
                  <td className="num">{formatNumber(line.tokens)}</td>
                  <td className="num">{formatNumber(line.requests)}</td>
                </tr>
              ))}
              <tr data-testid="allocation-unallocated">
                <td /><td><em>Unallocated</em></td>
                <td className="num">{formatCost(report.unallocated.cost, report.unallocated.originalCost)}</td>
                <td className="num">{formatNumber(report.unallocated.tokens)}</td>
                <td className="num">{formatNumber(report.unallocated.requests)}</td>
              </tr>
              <tr data-testid="allocation-total">
                <td /><td><strong>Total</strong></td>
                <td className="num"><strong>{formatCost(report.total.cost, report.total.originalCost)}</strong></td>
                <td className="num"><strong>{formatNumber(report.total.tokens)}</strong></td>
                <td className="num"><strong>{formatNumber(report.total.requests)}</strong></td>
              </tr>
            </tbody>
          </table>
          <p className="muted">Rules apply in this order: Account ID, project, team, department. Figures as of {report.asOf}.</p>
        </section>
      )}
      {data && (
        <section className="panel" data-testid="allocation-rules">
          <h3>Rules ({data.allocationRules.totalCount})</h3>
          <table>
            <thead><tr><th>Dimension</th><th>Value</th><th>Shares</th><th /></tr></thead>
            <tbody>
              {data.allocationRules.nodes.map((rule) => (
                <tr key={rule.id} data-testid="allocation-rule">
                  <td>{rule.dimension}</td><td>{rule.value}</td>
                  <td>{rule.splits.map((s) => `${s.costCenter.code} ${s.percent}%`).join(', ')}</td>
                  <td>{org.canManage && <DeleteRuleButton id={rule.id} onDone={refresh} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {org.canManage && <Manage onChange={refresh} />}
    </>
  );
}

function DeleteRuleButton({ id, onDone }: { id: string; onDone: () => void }) {
  const [state, remove] = useMutation(DeleteRule);
  return <button type="button" disabled={state.fetching} onClick={async () => { await remove({ id }); onDone(); }}>Delete</button>;
}

/** Cost center and rule forms; a rule's shares are typed as "CODE percent" pairs, e.g. "ENG 33.33, OPS 33.33, FIN 33.34". */
function Manage({ onChange }: { onChange: () => void }) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [dimension, setDimension] = useState<AllocationDimension>('TEAM');
  const [value, setValue] = useState('');
  const [shares, setShares] = useState('');
  const [created, create] = useMutation(CreateCostCenter);
  const [set, setRule] = useMutation(SetRule);
  // The list starts empty, so no CostCenter type is in its result for urql's document cache to invalidate on: name it.
  const [centers] = useQuery({ query: CostCenterIds, context: CENTERS_CONTEXT });
  const idOf = (c: string) => centers.data?.costCenters.nodes.find((n) => n.code.toLowerCase() === c.toLowerCase())?.id ?? c;
  return (
    <section className="panel" data-testid="allocation-manage">
      <h3>New cost center</h3>
      <ErrorBox error={created.error} />
      <UserErrors errors={created.data?.costCenterCreate.userErrors} />
      <label>Code <input name="code" value={code} onChange={(e) => setCode(e.target.value)} /></label>{' '}
      <label>Name <input name="name" value={name} onChange={(e) => setName(e.target.value)} /></label>{' '}
      <button type="button" disabled={created.fetching} onClick={async () => {
        const r = await create({ input: { code, name } });
        if (r.data?.costCenterCreate.userErrors.length === 0) { setCode(''); setName(''); onChange(); }
      }}>Create</button>
      <h3>Set a rule</h3>
      <ErrorBox error={set.error} />
      <div data-testid="allocation-rule-errors"><UserErrors errors={set.data?.allocationRuleSet.userErrors} /></div>
      <label>Dimension <select name="dimension" value={dimension} onChange={(e) => setDimension(e.target.value as AllocationDimension)}>
        {DIMENSIONS.map((d) => <option key={d} value={d}>{d}</option>)}
      </select></label>{' '}
      <label>Value <input name="value" value={value} onChange={(e) => setValue(e.target.value)} /></label>{' '}
      <label>Shares <input name="shares" value={shares} placeholder="ENG 50, OPS 50" onChange={(e) => setShares(e.target.value)} /></label>{' '}
      <button type="button" disabled={set.fetching} onClick={async () => {
        const splits = shares.split(',').map((part) => part.trim().split(/\s+/)).filter((pair) => pair.length === 2)
          .map(([c, percent]) => ({ costCenterId: idOf(c ?? ''), percent: percent ?? '' }));
        const r = await setRule({ input: { dimension, value, splits } });
        if (r.data?.allocationRuleSet.userErrors.length === 0) { setValue(''); setShares(''); onChange(); }
      }}>Save rule</button>
    </section>
  );
}

const CENTERS_CONTEXT = { additionalTypenames: ['CostCenter'] };
const CostCenterIds = graphql(`
  query ClientCostCenterIds { costCenters(first: 100) { nodes { id code } } }
`);
