// A small RFC 4180 CSV reader for the in-memory backend: quotes, doubled quotes, CRLF/LF/CR line
// ends, quoted fields spanning lines, a leading BOM, and comma / semicolon / tab delimiters.
import type { LeadField } from "../generated/bindings";

export type CsvRecord = {
  fields: string[];
  /** 1-based line number where the record starts (the header is line 1). */
  line: number;
  /** Character offset just past the record (for progress). */
  end: number;
};

export function detectDelimiter(text: string): string {
  let firstLine = "";
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && (c === "\n" || c === "\r")) break;
    firstLine += c;
  }
  const counts: [string, number][] = [",", ";", "\t"].map((d) => [d, firstLine.split(d).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ",";
}

export function parseCsv(input: string): CsvRecord[] {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false; // distinguishes an empty last field from no field at all
  const n = text.length;

  const endRecord = (end: number) => {
    fields.push(field);
    const blank = fields.length === 1 && fields[0] === "" && !fieldStarted;
    if (!blank) records.push({ fields, line: recordLine, end });
    fields = [];
    field = "";
    fieldStarted = false;
  };

  let i = 0;
  while (i < n) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (c === "\r" || c === "\n") {
        line++;
        if (c === "\r" && text[i + 1] === "\n") {
          field += "\r\n";
          i += 2;
          continue;
        }
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      inQuotes = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = "";
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      const next = c === "\r" && text[i + 1] === "\n" ? i + 2 : i + 1;
      endRecord(next);
      line++;
      recordLine = line;
      i = next;
      continue;
    }
    field += c;
    fieldStarted = true;
    i++;
  }
  if (field !== "" || fields.length > 0 || fieldStarted) endRecord(n);
  return records;
}

function quoteField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(rows: string[][]): string {
  return rows.map((r) => r.map(quoteField).join(",")).join("\r\n") + "\r\n";
}

const HEADER_ALIASES: Record<LeadField, string[]> = {
  name: ["name", "fullname", "contactname", "contact", "leadname"],
  firstName: ["firstname", "first", "givenname", "forename"],
  lastName: ["lastname", "last", "surname", "familyname"],
  email: ["email", "emailaddress", "mail", "workemail"],
  phone: ["phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "tel", "telephone", "cell", "cellphone", "number"],
  company: ["company", "companyname", "organization", "organisation", "account", "accountname", "business"],
  position: ["position", "title", "jobtitle", "role"],
  status: ["status", "leadstatus", "stage"],
  value: ["value", "dealvalue", "amount", "dealamount", "revenue"],
  source: ["source", "leadsource", "origin", "channel"],
  notes: ["notes", "note", "comments", "comment", "description"],
};

/** Auto-detects the LeadField of each header; each field is used at most once (first header wins). */
export function autoMap(headers: string[]): (LeadField | null)[] {
  const used = new Set<LeadField>();
  return headers.map((h) => {
    const key = h.toLowerCase().replace(/[^a-z0-9]/g, "");
    for (const [field, aliases] of Object.entries(HEADER_ALIASES) as [LeadField, string[]][]) {
      if (!used.has(field) && aliases.includes(key)) {
        used.add(field);
        return field;
      }
    }
    return null;
  });
}
