import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Settings } from "../../generated/bindings";
import { renderApp, type Seed } from "../../test/app";
import type { Core } from "../../test/core";
import { PROJECT, TOKEN } from "../../test/signalwire";

async function openSettings(seed: Seed = {}) {
  const app = await renderApp(seed);
  await app.user.click(screen.getByTestId("nav-settings"));
  await screen.findByTestId("settings-region");
  return app;
}

const getSettings = (core: Core) => core.invoke<Settings>("get_settings");
const realtimeStarts = (core: Core) => core.calls.filter((c) => c.cmd === "start_realtime").length;

describe("Settings", () => {
  it("saving a secret shows it as stored, clears the input, and never puts the secret in the DOM", async () => {
    const SECRET = "PT-super-secret-token-9f8e7d";
    const { user, core } = await openSettings();
    expect(screen.getByTestId("settings-sw-token-status")).toHaveTextContent("Not set");

    const token = screen.getByTestId("settings-sw-token");
    expect(token).toHaveAttribute("type", "password");
    await user.type(token, SECRET);
    await user.type(screen.getByTestId("settings-sw-space"), "acme.signalwire.com");
    await user.click(screen.getByTestId("settings-sw-save"));

    await waitFor(() => expect(screen.getByTestId("settings-sw-token-status")).toHaveTextContent("Stored in the OS keychain"));
    expect(token).toHaveValue("");
    expect(document.documentElement.outerHTML).not.toContain(SECRET);
    const stored = await getSettings(core);
    expect(stored.signalwireApiTokenSet).toBe(true);
    expect(stored.signalwireSpace).toBe("acme.signalwire.com");
    expect(JSON.stringify(stored)).not.toContain(SECRET);
  });

  it("secret inputs start empty even when a secret is stored, and Remove clears it", async () => {
    const { user, core } = await openSettings({
      settings: { sipUsername: "agent7" },
      seed: (c) => c.invoke("set_secret", { kind: "sipPassword", value: "pw-7" }),
    });
    expect(screen.getByTestId("settings-sip-password")).toHaveValue("");
    expect(screen.getByTestId("settings-sip-username")).toHaveValue("agent7");
    const status = screen.getByTestId("settings-sip-password-status");
    expect(status).toHaveTextContent("Stored in the OS keychain");
    await user.click(within(status).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getByTestId("settings-sip-password-status")).toHaveTextContent("Not set"));
    expect((await getSettings(core)).sipPasswordSet, "removed from the keychain").toBe(false);
  });

  it("saves the SIP section without a password when none was typed", async () => {
    const { user, core } = await openSettings();
    await user.type(screen.getByTestId("settings-sip-registrar"), "sip.example.com");
    await user.selectOptions(screen.getByTestId("settings-sip-transport"), "tls");
    await user.click(screen.getByTestId("settings-sip-save"));
    expect(await screen.findByTestId("settings-sip-saved")).toBeInTheDocument();
    const s = await getSettings(core);
    expect(s).toMatchObject({ sipRegistrar: "sip.example.com", sipTransport: "tls", sipPasswordSet: false });
  });

  it("changing the default region saves it", async () => {
    const { user, core } = await openSettings();
    const region = screen.getByTestId("settings-region");
    const regions = within(region).getAllByRole("option").map((o) => o.getAttribute("value"));
    expect(regions.length, "every region the core lists").toBeGreaterThan(40);
    expect(regions, "the usual ones among them").toEqual(expect.arrayContaining(["US", "CA", "GB", "DE", "FR", "AU", "IN"]));
    await user.selectOptions(region, "GB");
    await waitFor(async () => expect((await getSettings(core)).defaultRegion).toBe("GB"));
  });

  it("shows the backend's error for an invalid backend URL and does not store the key", async () => {
    const { user, core } = await openSettings();
    await user.type(screen.getByTestId("settings-backend-url"), "ftp://nope");
    await user.type(screen.getByTestId("settings-backend-key"), "k-123");
    await user.click(screen.getByTestId("settings-backend-save"));
    expect(await screen.findByTestId("settings-backend-error")).toHaveTextContent('The backend URL "ftp://nope" starts with ftp://: use https://<project>.supabase.co or postgres://.');
    expect((await getSettings(core)).backendKeySet, "the key was not stored").toBe(false);
  });

  it("saving the SignalWire settings restarts the live connection; incomplete settings are not reported, other failures are", async () => {
    const { user, core, signalWire } = await openSettings({ signalWire: "unconfigured" });
    expect(realtimeStarts(core)).toBe(0);

    // Only the space: startRealtime answers notConfigured, which is no news here.
    await user.type(screen.getByTestId("settings-sw-space"), "acme");
    await user.click(screen.getByTestId("settings-sw-save"));
    await waitFor(() => expect(realtimeStarts(core)).toBe(1));
    expect(await signalWire.call("relay_live_sessions"), "no connection without a project and token").toBe(0);
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();

    await user.type(screen.getByTestId("settings-sw-project"), PROJECT);
    await user.type(screen.getByTestId("settings-sw-token"), TOKEN);
    await user.click(screen.getByTestId("settings-sw-save"));
    await waitFor(() => expect(realtimeStarts(core)).toBe(2));
    await waitFor(async () => expect(await signalWire.call("relay_live_sessions"), "connected to RELAY").toBe(1));
    expect(screen.queryByTestId("toast")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("nav-messages"));
    expect(await screen.findByTestId("sms-live")).toHaveTextContent("Live");

    await user.click(screen.getByTestId("nav-settings"));
    // A failure of this machine, not SignalWire's: faked once.
    core.fake("start_realtime", () => {
      throw { code: "internal", message: "Could not start the realtime worker: out of threads" };
    });
    await user.click(screen.getByTestId("settings-sw-save"));
    expect(await screen.findByTestId("toast")).toHaveTextContent(
      "The live SignalWire connection did not start: Could not start the realtime worker: out of threads",
    );
  });

  it("a SignalWire section that fails to save does not restart the live connection", async () => {
    const { user, core } = await openSettings();
    // A disk that refuses the write: faked, as the core cannot be made read-only under root.
    core.fake("update_settings", () => {
      throw { code: "storage", message: "The database is read-only." };
    });
    await user.click(screen.getByTestId("settings-sw-save"));
    expect(await screen.findByTestId("settings-sw-error")).toHaveTextContent("The database is read-only.");
    expect(realtimeStarts(core)).toBe(0);
  });

  it("creates SIP credentials in SignalWire from the username and fills in the SIP account", async () => {
    const { user } = await openSettings({ signalWire: true });
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
    const { user, core, team } = await openSettings({ team: { signedIn: false } });
    const section = screen.getByRole("region", { name: "Team backend" });
    expect(within(section).getByLabelText("Publishable key")).toBe(screen.getByTestId("settings-backend-key"));
    expect(screen.getByTestId("settings-backend-key-status")).toHaveTextContent("Stored in the OS keychain");
    expect(screen.getByTestId("sync-indicator")).toHaveTextContent("Sync off");

    await user.type(screen.getByTestId("settings-backend-email"), team.email);
    await user.type(screen.getByTestId("settings-backend-password"), team.password);
    await user.click(within(section).getByRole("button", { name: "Sign in" }));

    expect(await screen.findByTestId("settings-backend-signed-in")).toHaveTextContent(`Signed in as ${team.email}`);
    expect(core.calls.find((c) => c.cmd === "backend_sign_in")?.args).toEqual({ email: team.email, password: team.password });
    expect(screen.queryByTestId("settings-backend-password")).not.toBeInTheDocument();
    expect(document.documentElement.outerHTML).not.toContain(team.password);
    expect(await getSettings(core)).toMatchObject({ backendSignedIn: true, backendEmail: team.email });
    await waitFor(() => expect(screen.getByTestId("sync-indicator")).toHaveTextContent(/^Synced$/), { timeout: 10_000 });

    await user.click(screen.getByTestId("settings-backend-signout"));
    expect(await within(section).findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(await getSettings(core)).toMatchObject({ backendSignedIn: false, backendEmail: "" });
    await waitFor(() => expect(screen.getByTestId("sync-indicator")).toHaveTextContent("Sync off"));
  });

  it("a wrong password shows why the sign-in was refused and stays signed out", async () => {
    const { user, core, team } = await openSettings({ team: { signedIn: false } });
    await user.type(screen.getByTestId("settings-backend-email"), team.email);
    await user.type(screen.getByTestId("settings-backend-password"), "not-the-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("settings-backend-signin-error")).toHaveTextContent(/^Sign-in refused: Invalid login credentials/);
    expect(screen.queryByTestId("settings-backend-signed-in")).not.toBeInTheDocument();
    expect((await getSettings(core)).backendSignedIn).toBe(false);

    // An empty password is refused (by the core's rule) before anything goes to the backend.
    await user.clear(screen.getByTestId("settings-backend-password"));
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() =>
      expect(screen.getByTestId("settings-backend-signin-error")).toHaveTextContent("Enter the email and password of your CRM account."),
    );
  });

  it("signing in saves a URL and key typed just before, so the sign-in uses them", async () => {
    const { user, core, team } = await openSettings({ team: { configured: false } });
    await user.type(screen.getByTestId("settings-backend-url"), team.supabaseUrl);
    await user.type(screen.getByTestId("settings-backend-key"), team.apikey);
    await user.type(screen.getByTestId("settings-backend-email"), team.email);
    await user.type(screen.getByTestId("settings-backend-password"), team.password);
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByTestId("settings-backend-signed-in")).toHaveTextContent(`Signed in as ${team.email}`);
    expect(await getSettings(core)).toMatchObject({ backendUrl: team.supabaseUrl, backendKeySet: true, backendSignedIn: true });
  });

  it("a postgres:// URL asks for the database password and needs no sign-in; a password inside the URL is refused", async () => {
    const { user, core, team } = await openSettings({ team: { configured: false } });
    const url = screen.getByTestId("settings-backend-url");
    await user.type(url, "postgres://agent:hunter2@db.example.com:5432/crm");
    expect(screen.getByLabelText("Database password")).toBe(screen.getByTestId("settings-backend-key"));
    expect(screen.queryByRole("button", { name: "Sign in" })).not.toBeInTheDocument();
    await user.click(screen.getByTestId("settings-backend-save"));
    expect(await screen.findByTestId("settings-backend-error")).toHaveTextContent("Leave the password out of the backend URL");
    expect((await getSettings(core)).backendUrl, "nothing stored").toBe("");

    await user.clear(url);
    await user.type(url, team.postgresUrl);
    await user.type(screen.getByTestId("settings-backend-key"), "hunter2");
    await user.click(screen.getByTestId("settings-backend-save"));
    expect(await screen.findByTestId("settings-backend-saved")).toBeInTheDocument();
    expect(screen.getByTestId("settings-backend-key-status")).toHaveTextContent("Stored in the OS keychain");
    expect(await getSettings(core)).toMatchObject({ backendUrl: team.postgresUrl, backendKeySet: true });
    await waitFor(() => expect(screen.getByTestId("sync-indicator")).toHaveTextContent(/^Synced$/), { timeout: 10_000 });
  });
});
