import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PairingCode } from "../../bindings/PairingCode";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { OwnDevice } from "./OwnDevice";

const code = (shortCode: string): PairingCode => ({
  shortCode,
  fullCode: `FS2-${shortCode}`,
  qrSize: 21,
  qrPath: "M0 0h1v1h-1z",
  qrHolds: "full",
  registered: true,
  expiresAtMs: Date.UTC(2026, 11, 11),
});

describe("OwnDevice", () => {
  it("shows the shared document's code, then her own notes', one at a time", async () => {
    const calls = mockCommands({ invite_own_device: () => [code("AAAA-BBBB-CCCC-DDDD"), code("EEEE-FFFF-GGGG-HHHH")] });
    render(<OwnDevice placementId="p1" />);
    fireEvent.click(screen.getByTestId("own-device-start"));
    const step = await screen.findByTestId("own-device-step");
    expect(step.dataset.step).toBe("1");
    expect(step.textContent).toContain("Kode 1 av 2");
    expect(screen.getByTestId("pairing-short-code").textContent).toBe("AAAA-BBBB-CCCC-DDDD");
    fireEvent.click(screen.getByTestId("own-device-next"));
    expect(screen.getByTestId("own-device-step").dataset.step).toBe("2");
    expect(screen.getByTestId("pairing-short-code").textContent).toBe("EEEE-FFFF-GGGG-HHHH");
    expect(screen.getByTestId("own-device-last")).toBeTruthy();
    expect(callsOf(calls, "invite_own_device")).toEqual([{ placementId: "p1" }]);
  });

  it("says why when the codes cannot be made", async () => {
    mockCommands({ invite_own_device: failWith("not_adviser_member", "nei") });
    render(<OwnDevice placementId="p1" />);
    fireEvent.click(screen.getByTestId("own-device-start"));
    expect((await screen.findByTestId("own-device-error")).textContent).toContain("Kunne ikke lage kodene");
  });
});
