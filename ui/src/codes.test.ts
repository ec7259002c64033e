import { describe, expect, it } from "vitest";
import nb from "./i18n/nb.json";
import en from "./i18n/en.json";
import i18n from "./i18n";
import {
  ACTION_STATUSES,
  ATTENDANCE,
  CLOSE_REASONS,
  codeLabel,
  fieldPathLabel,
  MEASURES,
  STATUSES,
  statusColor,
  TASK_STATUSES,
  timelineStatusList,
  VISIT_KINDS,
} from "./codes";

const t = i18n.getFixedT("nb");

describe("codeLabel", () => {
  it("labels a code in the chosen language", () => {
    expect(codeLabel(t, "measure", "work_training")).toBe("Arbeidstrening");
    expect(codeLabel(i18n.getFixedT("en"), "measure", "work_training")).toBe("Work training");
    expect(codeLabel(t, "status", "cancelled")).toBe("Avbrutt");
  });

  it("shows a code this version does not know as itself, and nothing for no code", () => {
    expect(codeLabel(t, "measure", "future_measure")).toBe("future_measure");
    expect(codeLabel(t, "status", null)).toBe("");
    expect(codeLabel(t, "status", "")).toBe("");
  });

  it("has a label in both languages for every code the UI offers", () => {
    const lists = {
      measure: MEASURES,
      status: STATUSES,
      closeReason: CLOSE_REASONS,
      attendance: ATTENDANCE,
      actionStatus: ACTION_STATUSES,
      taskStatus: TASK_STATUSES,
      visitKind: VISIT_KINDS,
    } as const;
    for (const [list, codes] of Object.entries(lists)) {
      for (const code of codes) {
        for (const texts of [nb, en] as const) {
          const labels = (texts as unknown as Record<string, Record<string, string> | undefined>)[list];
          expect(labels?.[code], `${list}.${code}`).toEqual(expect.any(String));
        }
      }
    }
  });
});

describe("fieldPathLabel", () => {
  it("names a document path's fields and leaves the record ids out", () => {
    expect(fieldPathLabel(t, ["visits", "0b9d2f5e-6a4c-4d1e-9f3a-2c8b7e1d5a60", "summary"])).toBe(
      "Besøk › Oppsummering",
    );
    expect(fieldPathLabel(t, ["visits", "someNewField"])).toBe("Besøk › someNewField");
  });
});

describe("status lists and colours", () => {
  it("knows which list a timeline status belongs to", () => {
    expect(timelineStatusList("observation")).toBe("attendance");
    expect(timelineStatusList("contact_request")).toBe("requestStatus");
    expect(timelineStatusList("action")).toBe("actionStatus");
    expect(timelineStatusList("visit")).toBe("visitStatus");
    expect(timelineStatusList("note")).toBeNull();
  });

  it("colours a placement's status", () => {
    expect(statusColor("active")).toBe("success");
    expect(statusColor("planned")).toBe("info");
    expect(statusColor("cancelled")).toBe("warning");
    expect(statusColor("ended")).toBe("neutral");
    expect(statusColor("something_new")).toBe("neutral");
  });
});
