/** How the benchmarks print their figures in bench/RESULTS.md: '–' for a figure that could not be measured. */

export const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);

/** Milliseconds, rounded to whole ms unless `digits` asks for more. */
export const ms = (value: number | undefined, digits?: number): string =>
  value === undefined ? '–' : `${digits === undefined ? Math.round(value) : value.toFixed(digits)} ms`;

export const sec = (value: number | undefined): string =>
  value === undefined ? '–' : `${(value / 1_000).toFixed(value < 10_000 ? 2 : 1)} s`;

export const num = (value: number | undefined, digits = 2): string =>
  value === undefined ? '–' : value.toFixed(digits);

export function ratio(numerator: number | undefined, denominator: number | undefined): string {
  if (numerator === undefined || denominator === undefined) return '–';
  if (denominator === 0) return numerator === 0 ? '1.0× (both 0)' : `∞ (denominator 0, numerator ${num(numerator)})`;
  const r = numerator / denominator;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}
