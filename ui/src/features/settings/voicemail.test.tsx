import { screen, waitFor, within } from "@testing-library/react";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { VoicemailMessage } from "../../generated/bindings";
import { renderApp } from "../../test/app";
import { toneWav } from "../../test/audio";
import { Core } from "../../test/core";

async function openVoicemail(core: Core) {
  const app = await renderApp({ core });
  await app.user.click(screen.getByTestId("nav-settings"));
  const section = await screen.findByTestId("settings-voicemail");
  return { ...app, section };
}

describe("Settings → Voicemail drop", () => {
  it("records a message with the microphone while its level shows, and keeps it by name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ringdesk-vm-"));
    const mic = join(dir, "mic.wav");
    writeFileSync(mic, toneWav(10));
    const { user, section, core } = await openVoicemail(Core.start({ wavAudio: mic }));
    expect(await within(section).findByTestId("voicemail-empty")).toBeInTheDocument();
    await user.type(within(section).getByTestId("voicemail-name"), "Intro");
    await user.click(within(section).getByTestId("voicemail-record"));
    const meter = await within(section).findByRole("meter", { name: "Microphone level" });
    await waitFor(() => expect(Number(meter.getAttribute("aria-valuenow"))).toBeGreaterThan(-30), { timeout: 5000 });
    await waitFor(() => expect(within(section).getByTestId("voicemail-recorded-seconds")).toHaveTextContent(/^0:0[2-9]/), { timeout: 5000 });
    await user.click(within(section).getByTestId("voicemail-keep"));
    const row = await within(section).findByTestId("voicemail-row");
    expect(within(row).getByTestId("voicemail-row-name")).toHaveTextContent("Intro");
    const [kept] = await core.invoke<VoicemailMessage[]>("voicemail_messages");
    expect(kept.durationSeconds, "what was recorded").toBeGreaterThanOrEqual(1);
  });

  it("an import that is not a WAV is refused with the reason, and a public URL must be https", async () => {
    const core = Core.start();
    const { user, section } = await openVoicemail(core);
    await core.answerFileDialog(core.file("notes.wav", "these are notes, not audio"));
    await user.type(within(section).getByTestId("voicemail-name"), "Intro");
    await user.click(within(section).getByTestId("voicemail-import"));
    expect(await within(section).findByTestId("voicemail-error")).toHaveTextContent("is not a WAV file");
    expect(await core.invoke<VoicemailMessage[]>("voicemail_messages"), "nothing kept").toEqual([]);

    await core.answerFileDialog(core.file("intro.wav", toneWav(3)));
    await user.click(within(section).getByTestId("voicemail-import"));
    const row = await within(section).findByTestId("voicemail-row");
    expect(row).toHaveTextContent("0:03");
    const url = within(row).getByTestId("voicemail-url");
    await user.type(url, "http://files.example.com/intro.wav");
    await user.tab();
    expect(await within(row).findByTestId("voicemail-row-error")).toHaveTextContent("https");
    await user.clear(url);
    await user.type(url, "https://files.example.com/intro.wav");
    await user.tab();
    await waitFor(async () => expect((await core.invoke<VoicemailMessage[]>("voicemail_messages"))[0].publicUrl).toBe("https://files.example.com/intro.wav"));
  });
});
