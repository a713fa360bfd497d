import { useEffect, useState } from "react";
import type { Backend } from "../../backend";
import { useBackend } from "../../backend";

/** Numbers already shown, per backend: a call's number is asked once. */
const shown = new WeakMap<Backend, Map<string, string>>();

/**
 * A number as the core displays it (national format at home, international otherwise:
 * `lookup_number`); the raw number until the answer comes, or when the core cannot read it.
 */
export async function displayNumber(backend: Backend, number: string): Promise<string> {
  let known = shown.get(backend);
  if (!known) shown.set(backend, (known = new Map()));
  const cached = known.get(number);
  if (cached !== undefined) return cached;
  const display = await backend.lookupNumber(number).then(
    (found) => found.display ?? number,
    () => number,
  );
  known.set(number, display);
  return display;
}

/** `displayNumber` for rendering: the raw number first, the core's display once it answered. */
export function useNumberDisplay(number: string | null): string | null {
  const backend = useBackend();
  const [display, setDisplay] = useState<{ number: string | null; shown: string | null }>({ number, shown: number });
  useEffect(() => {
    if (number === null) return;
    let live = true;
    void displayNumber(backend, number).then((d) => live && setDisplay({ number, shown: d }));
    return () => {
      live = false;
    };
  }, [backend, number]);
  return display.number === number ? display.shown : number;
}
