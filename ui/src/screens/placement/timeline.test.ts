import { describe, expect, it } from "vitest";
import type { TimelineItem } from "../../bindings/TimelineItem";
import i18n from "../../i18n";
import { durationText, isOverdue, kindColor, newestFirst, requestColor, timeOf } from "./timeline";

type Action = Extract<TimelineItem, { kind: "action" }>;

function item(patch: Partial<Extract<TimelineItem, { kind: "note" }>>): TimelineItem {
  return { kind: "note", id: "1", at: "2026-05-01", text: "", author: "Kari", authorRole: "adviser", ...patch };
}

function action(patch: Partial<Action>): Action {
  return { kind: "action", id: "1", at: "2026-05-01", text: "", status: "open", due: null, owner: "adviser", ...patch };
}

describe("newestFirst", () => {
  it("orders days and moments together, newest first, without changing the given list", () => {
    const items = [
      item({ id: "a", at: "2026-05-01" }),
      item({ id: "b", at: "2026-05-03T08:00:00Z" }),
      item({ id: "c", at: "2026-05-02" }),
      item({ id: "d", at: "garbage" }),
    ];
    expect(newestFirst(items).map((i) => i.id)).toEqual(["b", "c", "a", "d"]);
    expect(items.map((i) => i.id)).toEqual(["a", "b", "c", "d"]);
  });

  it("reads a day as its local midnight and anything unreadable as 0", () => {
    expect(timeOf("2026-05-01")).toBe(new Date(2026, 4, 1).getTime());
    expect(timeOf("2026-05-01T10:00:00Z")).toBe(Date.UTC(2026, 4, 1, 10));
    expect(timeOf("")).toBe(0);
  });
});

describe("isOverdue", () => {
  const today = "2026-05-10";
  it("flags an open action whose due day has passed", () => {
    expect(isOverdue(action({ status: "open", due: "2026-05-09" }), today)).toBe(true);
    expect(isOverdue(action({ status: "in_progress", due: "2026-05-01" }), today)).toBe(true);
  });

  it("leaves done, cancelled, due today, undated and undatable actions alone", () => {
    expect(isOverdue(action({ status: "done", due: "2026-05-01" }), today)).toBe(false);
    expect(isOverdue(action({ status: "cancelled", due: "2026-05-01" }), today)).toBe(false);
    expect(isOverdue(action({ status: "open", due: today }), today)).toBe(false);
    expect(isOverdue(action({ status: "open", due: null }), today)).toBe(false);
    expect(isOverdue(action({ status: "open", due: "soon" }), today)).toBe(false);
  });
});

describe("durationText", () => {
  const nb = i18n.getFixedT("nb");
  const en = i18n.getFixedT("en");
  const min = 60_000;
  it("says how long a request waited in at most two units", () => {
    expect(durationText(nb, 20_000)).toBe("under ett minutt");
    expect(durationText(nb, 5 * min)).toBe("5 min");
    expect(durationText(nb, 135 * min)).toBe("2 t 15 min");
    expect(durationText(nb, 120 * min)).toBe("2 t");
    expect(durationText(nb, (3 * 1440 + 4 * 60 + 59) * min)).toBe("3 d 4 t");
    expect(durationText(en, 135 * min)).toBe("2 h 15 min");
  });

  it("counts a negative wait (clocks out of step) as none", () => {
    expect(durationText(nb, -5 * min)).toBe("under ett minutt");
  });
});

describe("colours", () => {
  it("colours kinds and request states, neutral for what this version does not know", () => {
    expect(kindColor("visit")).toBe("accent");
    expect(kindColor("adviser_note")).toBe("meta-purple");
    expect(kindColor("new_kind")).toBe("neutral");
    expect(requestColor("open")).toBe("warning");
    expect(requestColor("resolved")).toBe("success");
    expect(requestColor("new_state")).toBe("neutral");
  });
});
