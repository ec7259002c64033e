import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PlacementMembers } from "../../bindings/PlacementMembers";
import { callsOf, mockCommands } from "../../test/ipc";
import { MembersSection } from "./MembersSection";

const members: PlacementMembers = {
  devices: [
    { deviceId: "me", name: "Kari Veileder", role: "adviser", thisDevice: true, creator: true, removed: false },
    { deviceId: "phone", name: "Kari Veileder", role: "adviser", thisDevice: false, creator: false, removed: false },
  ],
  keyEpoch: 1,
};

describe("MembersSection", () => {
  it("removes a device from this placement only, unless told to remove it everywhere", async () => {
    const calls = mockCommands({
      placement_members: () => members,
      remove_device: () => null,
      remove_device_everywhere: () => ({ placements: 38 }),
    });
    render(<MembersSection placementId="p1" refresh={0} />);
    fireEvent.click(await screen.findByTestId("member-remove"));
    fireEvent.click(screen.getByTestId("member-remove-confirm"));
    expect((await screen.findByTestId("member-removed")).textContent).toContain("Dokumentnøkkelen er byttet.");
    expect(callsOf(calls, "remove_device")).toEqual([{ placementId: "p1", deviceId: "phone" }]);

    fireEvent.click(await screen.findByTestId("member-remove"));
    fireEvent.click(screen.getByTestId("member-remove-everywhere"));
    fireEvent.click(screen.getByTestId("member-remove-confirm"));
    expect((await screen.findByText(/fjernet fra 38 oppfølgingsløp/)).textContent).toContain("Dokumentnøklene er byttet.");
    expect(callsOf(calls, "remove_device_everywhere")).toEqual([{ deviceId: "phone" }]);
    expect(callsOf(calls, "remove_device")).toHaveLength(1);
  });
});
