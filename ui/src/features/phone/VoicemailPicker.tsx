// The voicemail message a drop plays: the agent's recorded messages, one of them chosen. Shared
// by the in-call panel's drop and the campaign session's V key.
import { useEffect, useState } from "react";
import { useBackend } from "../../backend";
import type { VoicemailMessage } from "../../generated/bindings";

/**
 * The recorded messages (`null` while loading; empty when there are none or they could not be
 * read) and the chosen one: the first, unless the agent picked another that still exists. Read
 * again whenever `reloadKey` changes.
 */
export function useVoicemailChoice(reloadKey?: unknown) {
  const backend = useBackend();
  const [messages, setMessages] = useState<VoicemailMessage[] | null>(null);
  const [chosen, setChosen] = useState("");
  useEffect(() => {
    let stale = false;
    const keep = (m: VoicemailMessage[]) => {
      if (stale) return;
      setMessages(m);
      setChosen((c) => (m.some((x) => x.id === c) ? c : (m[0]?.id ?? "")));
    };
    backend.voicemailMessages().then(keep, () => keep([]));
    return () => {
      stale = true;
    };
  }, [backend, reloadKey]);
  const message = messages?.find((m) => m.id === chosen) ?? null;
  return { messages, chosen, setChosen, message };
}

/** The picker of the message to drop. */
export function VoicemailPicker({ messages, chosen, onChoose, label, testId }: { messages: VoicemailMessage[]; chosen: string; onChoose: (id: string) => void; label: string; testId: string }) {
  return (
    <select aria-label={label} data-testid={testId} value={chosen} onChange={(e) => onChoose(e.target.value)}>
      {messages.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
        </option>
      ))}
    </select>
  );
}
