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

/** "2026-03-02T08:30:00+07:00" → "08:30 02/03/2026" (the time as written, Vietnam time). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  return m ? `${m[4]}:${m[5]} ${m[3]}/${m[2]}/${m[1]}` : value;
}

/** "dd/mm/yyyy" or "yyyy-mm-dd" → whether it is a real date; empty is fine (optional). */
export function validDate(value: string): boolean {
  const v = value.trim();
  if (v === "") return true;
  let d: number, m: number, y: number;
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (vn) [d, m, y] = [Number(vn[1]), Number(vn[2]), Number(vn[3])];
  else if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

