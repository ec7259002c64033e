import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { AccessExport } from "./AccessExport";

describe("AccessExport", () => {
  it("writes into the folder the user chose, and says where", async () => {
    const calls = mockCommands({
      "plugin:dialog|open": () => "/home/kari/Dokumenter",
      export_access: () => "/home/kari/Dokumenter/folgesvenn-innsyn-2026-12-05-1a2b3c4d",
    });
    render(<AccessExport placementId="p1" />);
    fireEvent.click(screen.getByTestId("access-export"));
    const written = await screen.findByTestId("access-written");
    expect(written.textContent).toContain("folgesvenn-innsyn-2026-12-05-1a2b3c4d");
    expect(callsOf(calls, "plugin:dialog|open")[0]).toMatchObject({ options: { directory: true, multiple: false } });
    const args = callsOf(calls, "export_access")[0] ?? {};
    expect(args).toMatchObject({ placementId: "p1", into: "/home/kari/Dokumenter" });
    expect(typeof args.job).toBe("string");
    // A quick export shows no progress bar: it is done before one would help.
    expect(screen.queryByTestId("access-progress")).toBeNull();
  });

  it("shows how far a slow export has come, and «Avbryt» stops it with nothing saved", async () => {
    let stop: (() => void) | null = null;
    const calls = mockCommands({
      "plugin:dialog|open": () => "/home/kari/Dokumenter",
      export_access: (args) => {
        const channel = args.onProgress as { onmessage: (p: unknown) => void };
        channel.onmessage({ stage: "drawing", percent: 55 });
        return new Promise((_, reject) => {
          // Tauri rejects with the plain serialised error, not an Error: mimic that.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          stop = () => reject({ kind: "cancelled", message: "Eksporten ble avbrutt", params: {} });
        });
      },
      cancel_export: () => {
        stop?.();
        return true;
      },
    });
    render(<AccessExport placementId="p1" />);
    fireEvent.click(screen.getByTestId("access-export"));
    const progress = await screen.findByTestId("access-progress");
    expect(progress.textContent).toContain("Lager PDF-en");
    expect(progress.querySelector("[role=progressbar]")?.getAttribute("aria-valuenow")).toBe("55");
    fireEvent.click(screen.getByTestId("access-cancel"));
    const cancelled = await screen.findByTestId("access-cancelled");
    expect(cancelled.textContent).toContain("Ingenting ble lagret");
    const exported = callsOf(calls, "export_access")[0] ?? {};
    expect(callsOf(calls, "cancel_export")).toEqual([{ job: exported.job }]);
    expect(screen.queryByTestId("access-progress")).toBeNull();
    expect(screen.queryByTestId("access-error")).toBeNull();
    expect(screen.queryByTestId("access-written")).toBeNull();
  });

  it("writes nothing when the dialog is cancelled, and words a failure in the user's language", async () => {
    let chosen: string | null = null;
    const calls = mockCommands({
      "plugin:dialog|open": () => chosen,
      export_access: failWith("io", "Kunne ikke skrive innsynet: disk full"),
    });
    render(<AccessExport placementId="p1" />);
    fireEvent.click(screen.getByTestId("access-export"));
    await waitFor(() => expect(callsOf(calls, "plugin:dialog|open")).toHaveLength(1));
    expect(callsOf(calls, "export_access")).toEqual([]);
    expect(screen.queryByTestId("access-written")).toBeNull();

    chosen = "/tmp";
    fireEvent.click(screen.getByTestId("access-export"));
    const error = await screen.findByTestId("access-error");
    expect(error.textContent).toContain("Innsynskopien ble ikke laget.");
    expect(error.textContent).not.toContain("disk full");
  });
});
