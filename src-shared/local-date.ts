/** YYYY-MM-DD in this machine's time zone: the pharmacy's day (a run's date, "today", an ID's expiry check). */
export function localDate(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}
