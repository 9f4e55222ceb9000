// Formatting shared by both apps. Numbers use one fixed locale so pages and tests read the same text;
// instants are shown in the signed-in user's time zone (Viewer.timeZone).

export const LOCALE = 'en-US';

export interface MoneyLike {
  amount: string;
  currencyCode: string;
}

export function formatNumber(value: number | string | null | undefined, maxFractionDigits = 0): string {
  if (value === null || value === undefined) return '—';
  return Number(value).toLocaleString(LOCALE, { maximumFractionDigits: maxFractionDigits });
}

/** Money with its currency, e.g. "CA$12.345600"; `digits` fixes the fraction digits (seed 001 shows 6). */
export function formatMoney(money: MoneyLike | null | undefined, digits?: number): string {
  if (!money) return '—';
  return Number(money.amount).toLocaleString(LOCALE, {
    style: 'currency',
    currency: money.currencyCode,
    minimumFractionDigits: digits ?? 2,
    maximumFractionDigits: digits ?? 6,
  });
}

/** A list of amounts in several currencies (cost fields are lists): "€1.20 + $0.30" (zero amounts left out), or a zero. */
export function formatMoneyList(list: readonly MoneyLike[], digits?: number, zeroCurrency = 'USD'): string {
  const nonZero = list.filter((m) => Number(m.amount) !== 0);
  if (nonZero.length === 0) return formatMoney({ amount: '0', currencyCode: list[0]?.currencyCode ?? zeroCurrency }, digits);
  return nonZero.map((m) => formatMoney(m, digits)).join(' + ');
}

/** The amount of one currency in a list, as a number (0 when absent). */
export function amountIn(list: readonly MoneyLike[], currency: string): number {
  return list.filter((m) => m.currencyCode === currency).reduce((sum, m) => sum + Number(m.amount), 0);
}

export function formatDateTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(LOCALE, {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

/** A calendar date (yyyy-MM-dd, already in the right zone) such as "Nov 26, 2026". */
export function formatDate(date: string | null | undefined, options: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' }): string {
  if (!date) return '—';
  return new Date(`${date}T00:00:00Z`).toLocaleDateString(LOCALE, { ...options, timeZone: 'UTC' });
}

/** "in 3 h 12 min", "in 5 d 4 h" until an instant. */
export function countdown(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never resets';
  let minutes = Math.max(0, Math.round((new Date(iso).getTime() - now) / 60000));
  const days = Math.floor(minutes / 1440);
  minutes -= days * 1440;
  const hours = Math.floor(minutes / 60);
  minutes -= hours * 60;
  if (days > 0) return `resets in ${days} d ${hours} h`;
  if (hours > 0) return `resets in ${hours} h ${minutes} min`;
  return `resets in ${minutes} min`;
}

export function percent(value: number | string | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '—';
  return `${Number(value).toFixed(digits)}%`;
}

/**
 * A cost as the API gives it: one figure in the billing currency (`cost`), with the amounts in the
 * currencies the usage was priced in (`originalCost`) as detail when they differ from it:
 * "CA$25.10 (from $14.01 + €4.35)".
 */
export function formatCost(cost: MoneyLike | null | undefined, originalCost: readonly MoneyLike[] = [], digits?: number): string {
  const figure = formatMoney(cost, digits);
  const nonZero = originalCost.filter((m) => Number(m.amount) !== 0);
  if (!cost || nonZero.length === 0 || (nonZero.length === 1 && nonZero[0]?.currencyCode === cost.currencyCode)) return figure;
  return `${figure} (from ${formatMoneyList(nonZero, digits)})`;
}
