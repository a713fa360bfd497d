import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { BackendError } from "../../backend/errors";
import { BACKEND_ACCOUNT, SIGNALWIRE_CONFIGURED, SUPABASE_CONFIGURED } from "../../backend/memory";
import { renderApp } from "../../test/render";

async function openSettings(options = {}) {
  const app = await renderApp(options);
  await app.user.click(screen.getByTestId("nav-settings"));
  await screen.findByTestId("settings-region");
  return app;
}

describe("Settings", () => {
  it("saving a secret shows it as stored, clears the input, and never puts the secret in the DOM", async () => {
    const SECRET = "PT-super-secret-token-9f8e7d";
    const { user, backend } = await openSettings();
    expect(screen.getByTestId("settings-sw-token-status")).toHaveTextContent("Not set");

    const token = screen.getByTestId("settings-sw-token");
    expect(token).toHaveAttribute("type", "password");
    await user.type(token, SECRET);
    await user.type(screen.getByTestId("settings-sw-space"), "acme.signalwire.com");
    await user.click(screen.getByTestId("settings-sw-save"));

    await waitFor(() => expect(screen.getByTestId("settings-sw-token-status")).toHaveTextContent("Stored in the OS keychain"));
    expect(token).toHaveValue("");
    expect(document.documentElement.outerHTML).not.toContain(SECRET);
    const stored = await backend.getSettings();
    expect(stored.signalwireApiTokenSet).toBe(true);
    expect(stored.signalwireSpace).toBe("acme.signalwire.com");
    expect(JSON.stringify(stored)).not.toContain(SECRET);
  });

  it("secret inputs start empty even when a secret is stored, and Remove clears it", async () => {
    const { user, backend } = await openSettings({ settings: { sipPasswordSet: true, sipUsername: "agent7" } });
    expect(screen.getByTestId("settings-sip-password")).toHaveValue("");
    expect(screen.getByTestId("settings-sip-username")).toHaveValue("agent7");
    const status = screen.getByTestId("settings-sip-password-status");
    expect(status).toHaveTextContent("Stored in the OS keychain");
    await user.click(within(status).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getByTestId("settings-sip-password-status")).toHaveTextContent("Not set"));
    expect((await backend.getSettings()).sipPasswordSet).toBe(false);
  });

  it("saves the SIP section without a password when none was typed", async () => {
    const { user, backend } = await openSettings();
    await user.type(screen.getByTestId("settings-sip-registrar"), "sip.example.com");
    await user.selectOptions(screen.getByTestId("settings-sip-transport"), "tls");
    await user.click(screen.getByTestId("settings-sip-save"));
    expect(await screen.findByTestId("settings-sip-saved")).toBeInTheDocument();
    const s = await backend.getSettings();
    expect(s).toMatchObject({ sipRegistrar: "sip.example.com", sipTransport: "tls", sipPasswordSet: false });
  });

  it("changing the default region saves it", async () => {
    const { user, backend } = await openSettings();
    const region = screen.getByTestId("settings-region");
    expect(within(region).getAllByRole("option").map((o) => o.getAttribute("value"))).toEqual(["US", "CA", "GB", "DE", "FR", "AU", "IN"]);
    await user.selectOptions(region, "GB");
    await waitFor(async () => expect((await backend.getSettings()).defaultRegion).toBe("GB"));
  });

  it("shows the backend's error for an invalid backend URL and does not store the key", async () => {
    const { user, backend } = await openSettings();
    await user.type(screen.getByTestId("settings-backend-url"), "ftp://nope");
    await user.type(screen.getByTestId("settings-backend-key"), "k-123");
    await user.click(screen.getByTestId("settings-backend-save"));
    expect(await screen.findByTestId("settings-backend-error")).toHaveTextContent('Backend URL "ftp://nope" must be a Supabase project address');
    expect((await backend.getSettings()).backendKeySet).toBe(false);
  });

  it("saving the SignalWire settings restarts the live connection; incomplete settings are not reported, other failures are", async () => {
    const { user, backend } = await openSettings();
    expect(backend.realtimeStartCount).toBe(0);

    // Only the space: startRealtime answers notConfigured, which is no news here.
    await user.type(screen.getByTestId("settings-sw-space"), "acme");
    await user.click(screen.getByTestId("settings-sw-save"));
    await waitFor(() => expect(backend.realtimeStartCount).toBe(1));
    expect(backend.realtimeStarted).toBe(false);
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();

    await user.type(screen.getByTestId("settings-sw-project"), "6b1f9d4e-0c2a-4c4e-9a57-3f0d2a1b7c55");
    await user.type(screen.getByTestId("settings-sw-token"), "PT-token");
    await user.click(screen.getByTestId("settings-sw-save"));
    await waitFor(() => expect(backend.realtimeStartCount).toBe(2));
    expect(backend.realtimeStarted).toBe(true);
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("nav-messages"));
    expect(await screen.findByTestId("sms-live")).toHaveTextContent("Live");

    await user.click(screen.getByTestId("nav-settings"));
    vi.spyOn(backend, "startRealtime").mockRejectedValueOnce(new BackendError("internal", "Could not start the realtime worker: out of threads"));
    await user.click(screen.getByTestId("settings-sw-save"));
    expect(await screen.findByTestId("toast")).toHaveTextContent(
      "The live SignalWire connection did not start: Could not start the realtime worker: out of threads",
    );
  });

  it("a SignalWire section that fails to save does not restart the live connection", async () => {
    const { user, backend } = await openSettings();
    vi.spyOn(backend, "updateSettings").mockRejectedValueOnce(new BackendError("storage", "The database is read-only."));
    await user.click(screen.getByTestId("settings-sw-save"));
    expect(await screen.findByTestId("settings-sw-error")).toHaveTextContent("The database is read-only.");
    expect(backend.realtimeStartCount).toBe(0);
  });

  it("creates SIP credentials in SignalWire from the username and fills in the SIP account", async () => {
    const { user } = await openSettings({ settings: SIGNALWIRE_CONFIGURED });
    await user.click(screen.getByTestId("settings-sip-provision"));
    expect(await screen.findByTestId("settings-sip-error")).toHaveTextContent("Enter the username");
    await user.type(screen.getByTestId("settings-sip-username"), "desk 1");
    await user.click(screen.getByTestId("settings-sip-provision"));
    expect(await screen.findByTestId("settings-sip-error")).toHaveTextContent("without spaces");
    await user.clear(screen.getByTestId("settings-sip-username"));
    await user.type(screen.getByTestId("settings-sip-username"), "desk-1");
    await user.click(screen.getByTestId("settings-sip-provision"));
    await waitFor(() => expect(screen.getByTestId("settings-sip-registrar")).toHaveValue("example-112233445566.sip.signalwire.com:5061"));
    expect(screen.getByTestId("settings-sip-transport")).toHaveValue("tls");
    expect(screen.getByTestId("settings-sip-password-status")).toHaveTextContent("Stored in the OS keychain");
    await user.click(screen.getByTestId("settings-sip-provision"));
    expect(await screen.findByTestId("settings-sip-error")).toHaveTextContent("already been taken");
  });
});

describe("Settings → Team backend", () => {
  it("a Supabase URL asks for the publishable key and a sign-in; signing in shows who is signed in and starts syncing, Sign out ends it", async () => {
    const { user, backend } = await openSettings({ settings: SUPABASE_CONFIGURED });
    const section = screen.getByRole("region", { name: "Team backend" });
    expect(within(section).getByLabelText("Publishable key")).toBe(screen.getByTestId("settings-backend-key"));
    expect(screen.getByTestId("settings-backend-key-status")).toHaveTextContent("Stored in the OS keychain");
    expect(screen.getByTestId("sync-indicator")).toHaveTextContent("Sync off");
    const signIn = vi.spyOn(backend, "backendSignIn");

    await user.type(screen.getByTestId("settings-backend-email"), BACKEND_ACCOUNT.email);
    await user.type(screen.getByTestId("settings-backend-password"), BACKEND_ACCOUNT.password);
    await user.click(within(section).getByRole("button", { name: "Sign in" }));

    expect(await screen.findByTestId("settings-backend-signed-in")).toHaveTextContent(`Signed in as ${BACKEND_ACCOUNT.email}`);
    expect(signIn).toHaveBeenCalledWith(BACKEND_ACCOUNT.email, BACKEND_ACCOUNT.password);
    expect(screen.queryByTestId("settings-backend-password")).not.toBeInTheDocument();
    expect(document.documentElement.outerHTML).not.toContain(BACKEND_ACCOUNT.password);
    expect(await backend.getSettings()).toMatchObject({ backendSignedIn: true, backendEmail: BACKEND_ACCOUNT.email });
    await waitFor(() => expect(screen.getByTestId("sync-indicator")).toHaveTextContent(/^Synced$/));

    await user.click(screen.getByTestId("settings-backend-signout"));
    expect(await within(section).findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(await backend.getSettings()).toMatchObject({ backendSignedIn: false, backendEmail: "" });
    await waitFor(() => expect(screen.getByTestId("sync-indicator")).toHaveTextContent("Sync off"));
  });

  it("a wrong password shows why the sign-in was refused and stays signed out", async () => {
    const { user, backend } = await openSettings({ settings: SUPABASE_CONFIGURED });
    await user.type(screen.getByTestId("settings-backend-email"), BACKEND_ACCOUNT.email);
    await user.type(screen.getByTestId("settings-backend-password"), "not-the-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("settings-backend-signin-error")).toHaveTextContent("Sign-in refused: Invalid login credentials.");
    expect(screen.queryByTestId("settings-backend-signed-in")).not.toBeInTheDocument();
    expect((await backend.getSettings()).backendSignedIn).toBe(false);

    // An empty password is refused before anything is sent.
    await user.clear(screen.getByTestId("settings-backend-password"));
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() =>
      expect(screen.getByTestId("settings-backend-signin-error")).toHaveTextContent("Enter the email and password of your CRM account."),
    );
  });

  it("signing in saves a URL and key typed just before, so the sign-in uses them", async () => {
    const { user, backend } = await openSettings();
    await user.type(screen.getByTestId("settings-backend-url"), "https://acme-crm.supabase.co");
    await user.type(screen.getByTestId("settings-backend-key"), "sb_publishable_123");
    await user.type(screen.getByTestId("settings-backend-email"), BACKEND_ACCOUNT.email);
    await user.type(screen.getByTestId("settings-backend-password"), BACKEND_ACCOUNT.password);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("settings-backend-signed-in")).toHaveTextContent(`Signed in as ${BACKEND_ACCOUNT.email}`);
    expect(await backend.getSettings()).toMatchObject({ backendUrl: "https://acme-crm.supabase.co", backendKeySet: true, backendSignedIn: true });
  });

  it("a postgres:// URL asks for the database password and needs no sign-in; a password inside the URL is refused", async () => {
    const { user, backend } = await openSettings();
    const url = screen.getByTestId("settings-backend-url");
    await user.type(url, "postgres://agent:hunter2@db.example.com:5432/crm");
    expect(screen.getByLabelText("Database password")).toBe(screen.getByTestId("settings-backend-key"));
    expect(screen.queryByRole("button", { name: "Sign in" })).not.toBeInTheDocument();
    await user.click(screen.getByTestId("settings-backend-save"));
    expect(await screen.findByTestId("settings-backend-error")).toHaveTextContent("Leave the password out of the backend URL");

    await user.clear(url);
    await user.type(url, "postgres://agent@db.example.com:5432/crm?sslmode=require");
    await user.type(screen.getByTestId("settings-backend-key"), "hunter2");
    await user.click(screen.getByTestId("settings-backend-save"));
    expect(await screen.findByTestId("settings-backend-saved")).toBeInTheDocument();
    expect(screen.getByTestId("settings-backend-key-status")).toHaveTextContent("Stored in the OS keychain");
    expect(await backend.getSettings()).toMatchObject({ backendUrl: "postgres://agent@db.example.com:5432/crm?sslmode=require", backendKeySet: true });
    await waitFor(() => expect(screen.getByTestId("sync-indicator")).toHaveTextContent(/^Synced$/));
  });
});
