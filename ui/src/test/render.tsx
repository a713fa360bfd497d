import { expect } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App, preloadPages } from "../App";
import { BackendProvider, type Backend } from "../backend";
import { MemoryBackend, type MemoryBackendOptions } from "../backend/memory";

/** Renders the whole app against a MemoryBackend and waits until startup finished. */
export async function renderApp(options: MemoryBackendOptions | MemoryBackend = {}) {
  const backend = options instanceof MemoryBackend ? options : new MemoryBackend(options);
  await preloadPages();
  const user = userEvent.setup();
  const utils = render(
    <BackendProvider backend={backend as Backend}>
      <App />
    </BackendProvider>,
  );
  await waitFor(() => expect(screen.queryByText("Opening Ringdesk…")).not.toBeInTheDocument());
  return { backend, user, ...utils };
}

/** Names of the lead rows currently rendered, in order. */
export function rowNames(): string[] {
  return screen.queryAllByTestId("lead-row").map((row) => row.querySelector(".col-name")?.textContent ?? "");
}

export const SAMPLE_LEADS = [
  { name: "Alice Anders", company: "Acme Corp", email: "alice@acme.example", phone: "(555) 123-4567", status: "new", value: 5000 },
  { name: "Bob Brown", company: "Globex", email: "bob@globex.example", phone: "415-555-0100", status: "contacted", value: 12000 },
  { name: "Carla Cruz", company: "Initech", email: "carla@initech.example", phone: "+44 20 7946 0958", status: "qualified", value: 800 },
  { name: "Dan Dorsey", company: "Acme Corp", email: "dan@acme.example", phone: null, status: "won", value: null },
  { name: "Erin Evans", company: "Hooli", email: null, phone: "212 555 0199", status: "lost", value: 250 },
];
