// How values are printed in the register: Vietnamese dates and numbers.

/** "2019-10-07" or "2019-10-07T08:30:00+07:00" → "07/10/2019"; anything else is shown as is. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

const counter = new Intl.NumberFormat("vi-VN");

/** 1234567 → "1.234.567". */
export function formatCount(n: number): string {
  return counter.format(n);
}
