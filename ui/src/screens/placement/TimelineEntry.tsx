import { PencilIcon } from "@navikt/aksel-icons";
import { BodyLong, BodyShort, Button, Detail, HStack, ReadMore, Tag, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { setActionStatus } from "../../api";
import type { Role } from "../../bindings/Role";
import type { TimelineItem } from "../../bindings/TimelineItem";
import { ACTION_STATUSES, codeLabel, timelineStatusList } from "../../codes";
import { NavOnlyTag } from "../../components/NavOnlyTag";
import { StatusSelect } from "../../components/StatusSelect";
import { formatDate, formatShortDate } from "../../format";
import { currentLanguage } from "../../i18n";
import { href } from "../../hooks/useRoute";
import { NoteEdit } from "./NoteEdit";
import { RecordEdit } from "./RecordEdit";
import { RecordHistory } from "./RecordHistory";
import { RequestFollowUp } from "./RequestFollowUp";
import { VisitReport } from "./VisitReport";
import { isOverdue, kindColor, requestColor, statusOf } from "./timeline";

type Item<K extends TimelineItem["kind"]> = Extract<TimelineItem, { kind: K }>;

/** Whether `role` may change a note's text: the adviser every note, the employer its own. */
export function mayEditNote(item: Item<"note" | "adviser_note">, role: Role | null): boolean {
  if (role === "adviser") return true;
  return role === "employer" && item.kind === "note" && item.authorRole === "employer";
}

/** One entry of the timeline: its kind, day, status and text, and what can be done with it. */
export function TimelineEntry({
  item,
  placementId,
  role,
  onChanged,
}: {
  item: TimelineItem;
  placementId: string;
  role: Role | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const statusList = timelineStatusList(item.kind);
  const status = statusOf(item);
  const overdue = item.kind === "action" && isOverdue(item);
  return (
    <VStack gap="space-4">
      <HStack gap="space-8" align="center" wrap>
        <Tag size="xsmall" variant="moderate" data-color={kindColor(item.kind)}>
          {codeLabel(t, "kind", item.kind)}
        </Tag>
        {item.kind === "adviser_note" && <NavOnlyTag size="xsmall" />}
        <Detail as="time" dateTime={item.at} textColor="subtle" data-testid="timeline-date">
          {formatDate(item.at, language)}
        </Detail>
        {item.kind === "contact_request" ? (
          <Tag
            size="xsmall"
            variant="moderate"
            data-color={requestColor(item.status)}
            data-status={item.status}
            data-testid="request-status"
          >
            {codeLabel(t, "requestStatus", item.status)}
          </Tag>
        ) : (
          item.kind !== "action" &&
          statusList &&
          status && (
            <Tag
              size="xsmall"
              variant="outline"
              data-color={item.kind === "visit" ? "accent" : "neutral"}
              data-testid="timeline-status"
            >
              {codeLabel(t, statusList, status)}
            </Tag>
          )
        )}
        {overdue && (
          <Tag size="xsmall" variant="strong" data-color="warning" data-testid="action-overdue">
            {t("overview.actionOverdue")}
          </Tag>
        )}
      </HStack>
      {item.text && (
        <BodyLong className="pre-line" data-testid="timeline-text">
          {item.text}
        </BodyLong>
      )}
      {(item.kind === "note" || item.kind === "adviser_note") && item.author && (
        <Detail textColor="subtle" data-testid="note-author">
          {t("note.by", { name: item.author })}
        </Detail>
      )}
      {/* The adviser may edit every note; the employer the notes its role wrote (the rights
          table, which every device checks again). */}
      {(item.kind === "note" || item.kind === "adviser_note") && mayEditNote(item, role) && (
        <NoteEdit
          placementId={placementId}
          noteId={item.id}
          text={item.text}
          isPrivate={item.kind === "adviser_note"}
          onSaved={onChanged}
        />
      )}
      {item.kind === "action" && (
        <ActionFollowUp item={item} placementId={placementId} role={role} onChanged={onChanged} />
      )}
      {item.kind === "action" && role === "adviser" && (
        <RecordEdit placementId={placementId} recordId={item.id} name={item.text} onSaved={onChanged} />
      )}
      {item.kind === "visit" && <VisitFollowUp item={item} placementId={placementId} role={role} />}
      {item.kind === "contact_request" && (
        <RequestFollowUp item={item} placementId={placementId} role={role} onChanged={onChanged} />
      )}
      <RecordHistory placementId={placementId} recordId={item.id} />
    </VStack>
  );
}

/** An action's owner and due date, and its status for whoever may set it. */
function ActionFollowUp({
  item,
  placementId,
  role,
  onChanged,
}: {
  item: Item<"action">;
  placementId: string;
  role: Role | null;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <HStack gap="space-8" justify="space-between" align="center" wrap>
      {(item.owner || item.due) && (
        <Detail textColor="subtle" data-testid="action-detail">
          {[
            item.owner ? t("overview.actionOwner", { owner: codeLabel(t, "actionOwner", item.owner) }) : "",
            item.due ? t("overview.actionDue", { date: formatShortDate(item.due, language) }) : "",
          ]
            .filter(Boolean)
            .join(" · ")}
        </Detail>
      )}
      {/* The employer sets the status of the actions it owns; the rest are the adviser's. */}
      {(role === "adviser" || item.owner === "employer") && (
        <StatusSelect
          label={t("overview.actionStatusLabel", { what: item.text })}
          status={item.status}
          codes={ACTION_STATUSES}
          list="actionStatus"
          save={(status) => setActionStatus(placementId, item.id, status)}
          onSaved={onChanged}
          testId="action-status"
          errorTestId="action-status-error"
        />
      )}
    </HStack>
  );
}

/** A visit's correction history, and the adviser's way to correct it. */
function VisitFollowUp({ item, placementId, role }: { item: Item<"visit">; placementId: string; role: Role | null }) {
  const { t } = useTranslation();
  const language = currentLanguage();
  return (
    <>
      {item.status === "corrected" && <Detail textColor="subtle">{t("overview.correctedHelp")}</Detail>}
      {item.status === "correction" && (
        <ReadMore header={t("overview.history")} size="small" data-testid="visit-history">
          <VStack gap="space-4">
            <BodyShort size="small">
              {item.correctedSummary ? t("overview.historyIntro") : t("overview.historyEmpty")}
            </BodyShort>
            {item.correctedSummary && (
              <BodyLong size="small" className="pre-line" data-testid="visit-history-text">
                {item.correctedSummary}
              </BodyLong>
            )}
          </VStack>
        </ReadMore>
      )}
      {role === "adviser" && item.status !== "corrected" && (
        <div>
          <Button
            as="a"
            size="xsmall"
            variant="tertiary"
            icon={<PencilIcon aria-hidden />}
            href={href({ name: "correctVisit", id: placementId, visitId: item.id })}
            aria-label={t("overview.correctVisitLabel", { date: formatDate(item.at, language) })}
            data-testid="visit-correct"
          >
            {t("overview.correctVisit")}
          </Button>
        </div>
      )}
      {role === "adviser" && item.status !== "corrected" && <VisitReport placementId={placementId} visitId={item.id} />}
    </>
  );
}
