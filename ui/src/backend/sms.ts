// SMS segment counting and body validation of the in-memory backend, written to match the Rust
// side (crates/signalwire/src/sms.rs) rule for rule: GSM-7 text fits 160 septets in one segment
// and 153 per segment once split; the extension characters ^{}\[~]|€ and form feed take two
// septets; any other character switches the whole message to UCS-2, 70 UTF-16 units alone or 67
// per segment. Bodies must not be blank and have at most 1600 characters.
import type { SmsSegments } from "../generated/bindings";

/** SignalWire, like Twilio, refuses bodies over 1,600 characters. */
export const MAX_SMS_CHARS = 1600;

const GSM_BASIC = new Set(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const GSM_EXTENDED = new Set("^{}\\[~]|€\u000c");

/** Septets a character (code point) takes in GSM-7, or null when it is not in the alphabet. */
function gsmSeptets(c: string): number | null {
  if (GSM_BASIC.has(c)) return 1;
  if (GSM_EXTENDED.has(c)) return 2;
  return null;
}

/** Why `body` cannot be sent as is, or null. Same wording as the Rust side. */
export function smsBodyProblem(body: string): string | null {
  const chars = [...body].length;
  if (body.trim() === "") return "The message is empty.";
  if (chars > MAX_SMS_CHARS) return `The message has ${chars} characters; SMS allows at most ${MAX_SMS_CHARS}.`;
  return null;
}

export function countSegments(body: string): SmsSegments {
  let septets: number | null = 0;
  let characters = 0;
  for (const c of body) {
    characters++;
    if (septets === null) continue;
    const s = gsmSeptets(c);
    septets = s === null ? null : septets + s;
  }
  const [encoding, units, single, multi] = septets !== null ? (["gsm7", septets, 160, 153] as const) : (["ucs2", body.length, 70, 67] as const);
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi);
  const capacity = segments <= 1 ? single : segments * multi;
  return { encoding, segments, characters, remaining: Math.max(0, capacity - units), error: smsBodyProblem(body) };
}
