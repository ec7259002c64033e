import { PlusIcon } from "@navikt/aksel-icons";
import {
  Alert,
  BodyShort,
  Box,
  Button,
  Detail,
  Heading,
  HStack,
  ProgressBar,
  Textarea,
  TextField,
  VStack,
} from "@navikt/ds-react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { addTrainingTask, setTaskStatus, toCommandError } from "../api";
import type { PlanItem } from "../bindings/PlanItem";
import { TASK_STATUSES } from "../codes";
import { DateField, type DateProblem } from "../components/DateField";
import { StatusSelect } from "../components/StatusSelect";
import { charCount, formatDate, parseIsoDate } from "../format";
import { currentLanguage, type Language } from "../i18n";
import { draftKey, useDraft, useOpenIfDraft } from "../hooks/useDraft";

// The limits the Rust side checks (folgesvenn-domain's validate.rs).
const SHORT_MAX = 200;
const FIELD_MAX = 2000;

const IDS = {
  title: "plan-task-title",
  description: "plan-task-description",
  responsible: "plan-task-responsible",
  targetDate: "plan-task-date",
} as const;

type TaskDraft = {
  title: string;
  description: string;
  responsible: string;
  targetDate: string;
};

export function taskDraftKey(placementId: string): string {
  return draftKey("plan-task", placementId);
}

/** The training plan's detail is "responsible · 2026-12-01": show the date as a date. */
function datesIn(text: string | null, language: Language): string {
  if (!text) return "";
  return text
    .split(" · ")
    .filter((part) => part.trim())
    .map((part) => (parseIsoDate(part) ? formatDate(part, language) : part))
    .join(" · ");
}

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

function TaskForm({
  placementId,
  autoFocus,
  onSaved,
  onCancel,
}: {
  placementId: string;
  autoFocus: boolean;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const draft = useDraft<TaskDraft>(taskDraftKey(placementId), {
    title: "",
    description: "",
    responsible: "",
    targetDate: "",
  });
  const [dateProblem, setDateProblem] = useState<DateProblem>(null);
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  // Bumped to remount the date field when the draft is thrown away.
  const [formKey, setFormKey] = useState(0);
  const titleField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (autoFocus) titleField.current?.focus();
  }, [autoFocus]);

  const v = draft.value;
  const tooLong = (max: number) => t("plan.errors.tooLong", { max });
  const errors = {
    title: !v.title.trim()
      ? t("plan.errors.title")
      : charCount(v.title) > SHORT_MAX
        ? tooLong(SHORT_MAX)
        : undefined,
    description: charCount(v.description) > FIELD_MAX ? tooLong(FIELD_MAX) : undefined,
    responsible: charCount(v.responsible) > SHORT_MAX ? tooLong(SHORT_MAX) : undefined,
    targetDate: dateProblem ? t("plan.errors.date") : undefined,
  };
  const shown = (field: keyof typeof errors) => (attempt > 0 ? errors[field] : undefined);

  function discard() {
    draft.clear();
    setDateProblem(null);
    setAttempt(0);
    setFormKey((k) => k + 1);
  }

  function cancel() {
    // An empty form leaves no draft behind; anything typed is kept for next time.
    if (!Object.values(v).some((value) => value.trim())) draft.clear();
    onCancel();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempt((n) => n + 1);
    setSubmitError(null);
    // Few fields: the first one that is wrong takes focus, its message beside it.
    const wrong = (Object.keys(errors) as Array<keyof typeof errors>).find((field) => errors[field]);
    if (wrong) {
      document.getElementById(IDS[wrong])?.focus();
      return;
    }
    setSubmitting(true);
    try {
      await addTrainingTask(placementId, {
        title: v.title.trim(),
        description: v.description.trim(),
        responsible: v.responsible.trim(),
        targetDate: v.targetDate || null,
      });
      draft.clear();
      onSaved();
    } catch (error) {
      // The draft is kept: nothing typed is lost.
      setSubmitError(t("plan.failed", { message: toCommandError(error).message }));
      setSubmitting(false);
    }
  }

  return (
    <Box padding="space-12" background="neutral-soft" borderRadius="8">
      <form onSubmit={submit} noValidate aria-label={t("plan.formLabel")} data-testid="plan-task-form">
        <VStack gap="space-16">
          {draft.restored && (
            <Alert variant="info" size="small" data-testid="plan-task-draft-restored">
              <VStack gap="space-8" align="start">
                {t("app.draftRestored")}
                <Button type="button" size="small" variant="tertiary" onClick={discard}>
                  {t("app.discardDraft")}
                </Button>
              </VStack>
            </Alert>
          )}
          <TextField
            ref={titleField}
            id={IDS.title}
            label={t("plan.title")}
            description={t("plan.titleDescription")}
            size="small"
            autoComplete="off"
            value={v.title}
            onChange={(e) => draft.update({ title: e.target.value })}
            error={shown("title")}
            aria-required
            data-testid="plan-task-title"
          />
          <Textarea
            id={IDS.description}
            label={
              <>
                {t("plan.description")} ({t("app.optional")})
              </>
            }
            size="small"
            minRows={2}
            maxLength={FIELD_MAX}
            value={v.description}
            onChange={(e) => draft.update({ description: e.target.value })}
            error={shown("description")}
            data-testid="plan-task-description"
          />
          <TextField
            id={IDS.responsible}
            label={
              <>
                {t("plan.responsible")} ({t("app.optional")})
              </>
            }
            description={t("plan.responsibleDescription")}
            size="small"
            autoComplete="off"
            value={v.responsible}
            onChange={(e) => draft.update({ responsible: e.target.value })}
            error={shown("responsible")}
            data-testid="plan-task-responsible"
          />
          {/* The date field reads its value when it mounts: a restored draft mounts it anew. */}
          <div key={`${formKey}:${draft.restored}`}>
            <DateField
              id={IDS.targetDate}
              label={
                <>
                  {t("plan.targetDate")} ({t("app.optional")})
                </>
              }
              value={v.targetDate}
              onChange={(value, problem) => {
                draft.update({ targetDate: value });
                setDateProblem(problem);
              }}
              error={shown("targetDate")}
              testId="plan-task-date"
            />
          </div>
          {submitError && (
            <Alert variant="error" size="small" data-testid="plan-task-error">
              {submitError}
            </Alert>
          )}
          <HStack gap="space-12" wrap>
            <Button type="submit" size="small" loading={submitting} data-testid="plan-task-submit">
              {t("plan.submit")}
            </Button>
            <Button type="button" size="small" variant="secondary" onClick={cancel} data-testid="plan-task-cancel">
              {t("app.cancel")}
            </Button>
          </HStack>
        </VStack>
      </form>
    </Box>
  );
}
