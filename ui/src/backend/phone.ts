// Phone-number rules of the in-memory backend: a deliberately simple stand-in for the Rust side's
// libphonenumber-style parsing. North American numbers (US/CA): 10 digits → +1…, 11 digits
// starting with 1 → +…; a leading + is kept as is; other regions: a national number starting
// with a trunk 0 gets the region's calling code.

export type PhoneResult = { ok: true; e164: string } | { ok: false; problem: string };

export const REGIONS = [
  { code: "US", name: "United States", callingCode: 1 },
  { code: "CA", name: "Canada", callingCode: 1 },
  { code: "GB", name: "United Kingdom", callingCode: 44 },
  { code: "DE", name: "Germany", callingCode: 49 },
  { code: "FR", name: "France", callingCode: 33 },
  { code: "AU", name: "Australia", callingCode: 61 },
  { code: "IN", name: "India", callingCode: 91 },
] as const;

export function normalizePhone(input: string, region = "US"): PhoneResult {
  const raw = input.trim();
  if (raw === "") return { ok: false, problem: "it is empty" };
  if (/[a-z]/i.test(raw)) return { ok: false, problem: "it contains letters" };
  if (/[^0-9+()\-.\s/]/.test(raw)) return { ok: false, problem: "it contains characters other than digits, spaces, ( ) - . and +" };
  if (raw.indexOf("+") > 0 || raw.split("+").length > 2) return { ok: false, problem: "a + may only appear at the start" };
  const digits = raw.replace(/\D/g, "");
  if (digits === "") return { ok: false, problem: "it has no digits" };

  if (raw.startsWith("+")) {
    if (digits.startsWith("0")) return { ok: false, problem: "a country code never starts with 0" };
    if (digits.length < 8) return { ok: false, problem: "too short for an international number (8 to 15 digits after +)" };
    if (digits.length > 15) return { ok: false, problem: "too long: an international number has at most 15 digits" };
    if (digits.startsWith("1") && digits.length !== 11) {
      return { ok: false, problem: "a +1 number has exactly 10 digits after the country code" };
    }
    return { ok: true, e164: `+${digits}` };
  }

  const reg = REGIONS.find((r) => r.code === region) ?? REGIONS[0];
  if (reg.callingCode === 1) {
    let national: string;
    if (digits.length === 10) national = digits;
    else if (digits.length === 11 && digits.startsWith("1")) national = digits.slice(1);
    else if (digits.length < 10) return { ok: false, problem: `too short: ${digits.length} digit${digits.length === 1 ? "" : "s"}, a US/Canada number has 10` };
    else return { ok: false, problem: `too long: ${digits.length} digits, a US/Canada number has 10 (or 11 starting with 1); add + and the country code for other countries` };
    if (national[0] === "0" || national[0] === "1") return { ok: false, problem: "a US/Canada area code cannot start with 0 or 1" };
    return { ok: true, e164: `+1${national}` };
  }

  const national = digits.startsWith("0") ? digits.slice(1) : digits;
  if (national.length < 6) return { ok: false, problem: `too short for a ${reg.name} number` };
  if (national.length > 13) return { ok: false, problem: `too long for a ${reg.name} number` };
  return { ok: true, e164: `+${reg.callingCode}${national}` };
}

/** "(555) 123-4567" for +1 numbers, the E.164 form with a space after the country code otherwise. */
export function displayPhone(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (nanp) return `(${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  const other = REGIONS.find((r) => r.callingCode !== 1 && e164.startsWith(`+${r.callingCode}`));
  if (other) return `+${other.callingCode} ${e164.slice(String(other.callingCode).length + 1)}`;
  return e164;
}
