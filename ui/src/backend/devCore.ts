// `npm run dev` in a plain browser: the window's IPC goes to a real Ringdesk core that the Vite
// dev server runs (`ringdesk-cli serve --stdio`, see vite.config.ts), over HTTP, with its events
// as server-sent events. Imported only when `import.meta.env.DEV`, so no build carries it.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";

declare global {
  interface Window {
    /** Set while the window talks to the dev server's core instead of a desktop shell. */
    __RINGDESK_DEV_CORE__?: true;
  }
}

export function connectDevCore(): void {
  window.__RINGDESK_DEV_CORE__ = true;
  mockIPC(
    async (cmd, args) => {
      const response = await fetch("/__ringdesk/invoke", { method: "POST", body: JSON.stringify({ cmd, args: args ?? {} }) });
      const answer = (await response.json()) as { ok?: unknown; error?: unknown };
      if (answer.error) throw answer.error;
      return answer.ok ?? null;
    },
    { shouldMockEvents: true },
  );
  const events = new EventSource("/__ringdesk/events");
  events.onmessage = (message) => {
    const { event, payload } = JSON.parse(message.data as string) as { event: string; payload: unknown };
    void emit(event, payload);
  };
}
