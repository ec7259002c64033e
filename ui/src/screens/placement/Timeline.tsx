import { BodyShort, Button, Heading, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Role } from "../../bindings/Role";
import type { TimelineItem } from "../../bindings/TimelineItem";
import { NoteForm } from "./NoteForm";
import { newestFirst, statusOf } from "./timeline";
import { TimelineEntry } from "./TimelineEntry";

interface TimelineProps {
  items: TimelineItem[];
  placementId: string;
  role: Role | null;
  /** Something was changed from the timeline (a request answered): load the overview again. */
  onChanged: () => void;
  /** The id of an entry to draw even if it is older than the first page (a search hit). */
  show?: string;
  /** Draw only the entries a first screen can show (the rest follow once it is painted). */
  firstScreen?: boolean;
}

/** Entries drawn at first; a three-year placement has hundreds, and drawing them all made opening slow. */
const TIMELINE_PAGE = 40;
/** Entries drawn in the frame that opens the overview, below the facts and the plan. */
const FIRST_SCREEN = 5;

/** What happened, newest first, with the note form on top; drawn a page at a time. */
export function Timeline({ items, placementId, role, onChanged, show, firstScreen = false }: TimelineProps) {
  const { t } = useTranslation();
  const sorted = newestFirst(items);
  // A record a link names is drawn even when it is further back than the first page.
  const [shown, setShown] = useState(() => Math.max(TIMELINE_PAGE, sorted.findIndex((i) => i.id === show) + 1));
  const hidden = sorted.length - shown;
  return (
    <VStack as="section" gap="space-16" aria-labelledby="timeline-heading" data-testid="overview-timeline">
      <Heading level="2" size="medium" id="timeline-heading">
        {t("overview.timeline")}
      </Heading>
      <NoteForm key={placementId} placementId={placementId} role={role} onSaved={onChanged} />
      {sorted.length === 0 ? (
        <BodyShort textColor="subtle">{t("overview.timelineEmpty")}</BodyShort>
      ) : (
        <ol className="timeline">
          {sorted.slice(0, firstScreen ? Math.min(shown, FIRST_SCREEN) : shown).map((item) => (
            <li
              key={`${item.kind}:${item.id}`}
              className="timeline__item"
              data-kind={item.kind}
              data-status={statusOf(item) ?? undefined}
              data-id={item.id}
              data-testid="timeline-item"
            >
              <TimelineEntry item={item} placementId={placementId} role={role} onChanged={onChanged} />
            </li>
          ))}
        </ol>
      )}
      {hidden > 0 && !firstScreen && (
        <div>
          <Button
            variant="secondary"
            size="small"
            onClick={() => setShown((n) => n + 4 * TIMELINE_PAGE)}
            data-testid="timeline-more"
          >
            {t("overview.timelineMore", { count: hidden })}
          </Button>
        </div>
      )}
    </VStack>
  );
}

/** The element on screen of an entry (a timeline item, a plan item), by its record's id. */
export function entryElement(id: string, testIds: string[]): HTMLElement | undefined {
  return testIds
    .flatMap((testId) => Array.from(document.querySelectorAll<HTMLElement>(`[data-testid="${testId}"]`)))
    .find((el) => el.dataset.id === id);
}
