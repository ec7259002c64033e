import { describe, expect, it } from "vitest";
import { CommandFailure, listPlacements, toCommandError } from "./api";
import { failWith, mockCommands } from "./test/ipc";

describe("toCommandError", () => {
  it("keeps a command's kind and message", () => {
    const e = toCommandError({ kind: "invalid_date", message: "Ugyldig dato" });
    expect(e).toBeInstanceOf(CommandFailure);
    expect(e).toBeInstanceOf(Error);
    expect([e.kind, e.message]).toEqual(["invalid_date", "Ugyldig dato"]);
  });

  it("turns anything else into an unknown failure with a message", () => {
    expect(toCommandError("boom")).toMatchObject({ kind: "unknown", message: "boom" });
    expect(toCommandError(new TypeError("bad"))).toMatchObject({ kind: "unknown", message: "bad" });
    expect(toCommandError(42)).toMatchObject({ kind: "unknown", message: "42" });
    expect(toCommandError({ kind: 1, message: "x" })).toMatchObject({ kind: "unknown" });
  });

  it("returns a CommandFailure as it is", () => {
    const e = new CommandFailure({ kind: "locked", message: "Låst" });
    expect(toCommandError(e)).toBe(e);
  });
});

describe("commands", () => {
  it("reject with a CommandFailure when the Rust side refuses", async () => {
    mockCommands({ list_placements: failWith("locked", "Enheten er låst") });
    await expect(listPlacements()).rejects.toMatchObject({ kind: "locked", message: "Enheten er låst" });
    await expect(listPlacements()).rejects.toBeInstanceOf(CommandFailure);
  });
});
