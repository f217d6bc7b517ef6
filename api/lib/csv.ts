/**
 * CSV cells for files an admin opens in a spreadsheet (RFC 4180, and OWASP's rule against formula
 * injection). Every CSV the hub writes goes through `csvCell`. No domain imports.
 */

/** Text a spreadsheet would read as a formula (OWASP: `=`, `+`, `-`, `@`, tab, carriage return). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell. Strings that start like a formula get a leading `'` (the spreadsheet then shows them as
 * text); numbers are written as they are. Quoted when it holds a comma, quote, CR or LF.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CRLF-terminated line. */
export const csvLine = (values: readonly (string | number | null | undefined)[]): string => `${values.map(csvCell).join(',')}\r\n`;
