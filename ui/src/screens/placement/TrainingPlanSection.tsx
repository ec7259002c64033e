import { PlusIcon } from "@navikt/aksel-icons";
import { Alert, BodyShort, Box, Button, Detail, Heading, HStack, ProgressBar, VStack } from "@navikt/ds-react";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { setTaskStatus } from "../../api";
import type { PlanItem } from "../../bindings/PlanItem";
import { TASK_STATUSES } from "../../codes";
import { StatusSelect } from "../../components/StatusSelect";
import { currentLanguage } from "../../i18n";
import { useOpenIfDraft } from "../../hooks/useDraft";
import { datesIn } from "./planItems";
import { RecordEdit } from "./RecordEdit";
import { RecordHistory } from "./RecordHistory";
import { TaskForm, taskDraftKey } from "./TaskForm";

interface Props {
  placementId: string;
  items: PlanItem[];
  /** A task was added or changed: load the overview again. */
  onChanged: () => void;
  /** Only the adviser adds tasks; the employer sets their status (the domain's rights table). */
  canAdd: boolean;
}

/** "Opplæringsplan": the tasks, how far the candidate has come, and a short form for a new one. */
export function TrainingPlanSection({ placementId, items, onChanged, canAdd }: Props) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const title = t("overview.trainingPlan");
  const canDo = items.filter((item) => item.status === "can_do").length;
  const [formOpen, setFormOpen] = useState(false);
  // Opened by the button (not restored on load): move focus into the form.
  const [focusForm, setFocusForm] = useState(false);
  const [saved, setSaved] = useState(false);
  const openButton = useRef<HTMLButtonElement>(null);

  // An unsaved task (after a crash, or a closed window) opens the form again at once.
  useOpenIfDraft(taskDraftKey(placementId), setFormOpen);

  // Nothing to show and nothing this user can add: the section takes no room.
  if (items.length === 0 && !canAdd && !formOpen) return null;

  function close(afterSave: boolean) {
    setFormOpen(false);
    setFocusForm(false);
    setSaved(afterSave);
    // The form is gone: put focus back on its button (after it is on screen again).
    window.setTimeout(() => openButton.current?.focus(), 0);
  }

  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-labelledby="training-plan-heading"
      data-testid="overview-training-plan"
    >
      <VStack gap="space-12">
        <Heading level="2" size="small" id="training-plan-heading">
          {title}
        </Heading>
        {items.length === 0 ? (
          <BodyShort textColor="subtle">{t("overview.nothingYet")}</BodyShort>
        ) : (
          <>
            <VStack gap="space-4">
              <BodyShort size="small" id="plan-progress-text" data-testid="plan-progress" data-done={canDo}>
                {t("plan.progress", { done: canDo, count: items.length })}
              </BodyShort>
              <ProgressBar
                size="small"
                value={canDo}
                valueMax={items.length}
                data-color="success"
                aria-labelledby="plan-progress-text"
              />
            </VStack>
            <ol className="plain-list">
              {items.map((item) => {
                const detail = datesIn(item.detail, language);
                return (
                  <li key={item.id} data-testid="plan-item" data-status={item.status ?? undefined} data-id={item.id}>
                    <HStack gap="space-8" justify="space-between" align="center" wrap>
                      <VStack gap="space-0" className="plan-task__text">
                        <BodyShort className="pre-line">{item.text}</BodyShort>
                        {detail && <Detail textColor="subtle">{detail}</Detail>}
                      </VStack>
                      <StatusSelect
                        label={t("plan.statusLabel", { task: item.text })}
                        status={item.status}
                        codes={TASK_STATUSES}
                        list="taskStatus"
                        save={(status) => setTaskStatus(placementId, item.id, status)}
                        onSaved={onChanged}
                        testId="plan-task-status"
                        errorTestId="plan-task-status-error"
                      />
                    </HStack>
                    {canAdd && <RecordEdit placementId={placementId} recordId={item.id} name={item.text} onSaved={onChanged} />}
                    <RecordHistory placementId={placementId} recordId={item.id} />
                  </li>
                );
              })}
            </ol>
          </>
        )}
        {saved && !formOpen && (
          <Alert variant="success" size="small" role="status" data-testid="plan-task-saved">
            {t("plan.saved")}
          </Alert>
        )}
        {!canAdd ? null : formOpen ? (
          <TaskForm
            placementId={placementId}
            autoFocus={focusForm}
            onSaved={() => {
              close(true);
              onChanged();
            }}
            onCancel={() => close(false)}
          />
        ) : (
          <div>
            <Button
              ref={openButton}
              type="button"
              size="small"
              variant="secondary"
              icon={<PlusIcon aria-hidden />}
              onClick={() => {
                setSaved(false);
                setFocusForm(true);
                setFormOpen(true);
              }}
              data-testid="plan-add-open"
            >
              {t("plan.add")}
            </Button>
          </div>
        )}
      </VStack>
    </Box>
  );
}
