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
    expect(callsOf(calls, "export_access")).toEqual([{ placementId: "p1", into: "/home/kari/Dokumenter" }]);
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
