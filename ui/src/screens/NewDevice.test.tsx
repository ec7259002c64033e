import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { DevicePairingCode } from "../bindings/DevicePairingCode";
import { callsOf, failWith, mockCommands } from "../test/ipc";
import { NewDevice } from "./NewDevice";

const pairing = (registered: boolean): DevicePairingCode => ({
  code: {
    shortCode: "WXYZ-ABCD-EFGH-JKLM",
    fullCode: "",
    qrSize: 21,
    qrPath: "M0 0h1v1h-1z",
    qrHolds: "short",
    registered,
    expiresAtMs: Date.UTC(2026, 11, 6, 15, 30),
  },
  placements: 38,
  documents: 76,
});

describe("NewDevice", () => {
  it("shows one short code for every placement, and no long code", async () => {
    const calls = mockCommands({ invite_new_device: () => pairing(true) });
    render(<NewDevice />);
    fireEvent.click(screen.getByTestId("new-device-start"));
    expect((await screen.findByTestId("pairing-short-code")).textContent).toBe("WXYZ-ABCD-EFGH-JKLM");
    expect(screen.getByTestId("pairing-panel").textContent).toContain("38 oppfølgingsløp");
    expect(screen.queryByTestId("pairing-full-code")).toBeNull();
    expect(screen.getByTestId("pairing-qr").getAttribute("aria-label")).toBe("QR-kode med den korte koden");
    expect(screen.getByTestId("pairing-expires").textContent).toMatch(/^Koden virker til kl\. \d\d[:.]\d\d/);
    expect(screen.queryByTestId("pairing-not-registered")).toBeNull();
    expect(callsOf(calls, "invite_new_device")).toEqual([{}]);
  });

  it("says when the relay has not got the code yet", async () => {
    mockCommands({ invite_new_device: () => pairing(false) });
    render(<NewDevice />);
    fireEvent.click(screen.getByTestId("new-device-start"));
    expect((await screen.findByTestId("pairing-not-registered")).textContent).toContain("neste gang denne enheten synkroniserer");
  });

  it("shows why no code could be made", async () => {
    mockCommands({ invite_new_device: failWith("nothing_to_pair", "ingen") });
    render(<NewDevice />);
    fireEvent.click(screen.getByTestId("new-device-start"));
    expect((await screen.findByTestId("new-device-error")).textContent).toContain(
      "Det er ingen oppfølgingsløp å hente til en ny enhet",
    );
  });
});
