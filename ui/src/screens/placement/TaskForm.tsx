import { Alert, Box, Button, HStack, Textarea, TextField, VStack } from "@navikt/ds-react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { addTrainingTask, editRecord } from "../../api";
import type { TrainingTaskInput } from "../../bindings/TrainingTaskInput";
import { useErrorText } from "../../errorText";
import { DateField } from "../../components/DateField";
import { DraftRestored } from "../../components/DraftRestored";
import { charCount } from "../../format";
import { draftKey } from "../../hooks/useDraft";
import { useForm } from "../../hooks/useForm";
import { FIELD_MAX, SHORT_MAX } from "../../bindings/rules";
import { recordEditDraftKey } from "./planItems";

// The limits the Rust side checks (folgesvenn-domain's validate.rs).

const IDS = {
  title: "plan-task-title",
  description: "plan-task-description",
  responsible: "plan-task-responsible",
  targetDate: "plan-task-date",
} as const;

export function taskDraftKey(placementId: string): string {
  return draftKey("plan-task", placementId);
}

/**
 * A new task for the training plan (the adviser's), or with `editing` a change to one (its status
 * stays); kept as a draft while it is typed.
 */
export function TaskForm({
  placementId,
  autoFocus,
  onSaved,
  onCancel,
  editing,
}: {
  placementId: string;
  autoFocus: boolean;
  onSaved: () => void;
  onCancel: () => void;
  editing?: { recordId: string; values: TrainingTaskInput };
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const tooLong = (max: number) => t("plan.errors.tooLong", { max });
  // Few fields: a submit with errors focuses the first wrong one, its message beside it.
  const start = editing?.values;
  const ids = editing
    ? (Object.fromEntries(Object.entries(IDS).map(([k, id]) => [k, `${id}-${editing.recordId}`])) as Record<keyof typeof IDS, string>)
    : IDS;
  const form = useForm({
    draftKey: editing ? recordEditDraftKey(placementId, editing.recordId) : taskDraftKey(placementId),
    initial: {
      title: start?.title ?? "",
      description: start?.description ?? "",
      responsible: start?.responsible ?? "",
      targetDate: start?.targetDate ?? "",
    },
    ids,
    onInvalid: "field",
    validate: (v, problems) => ({
      title: !v.title.trim()
        ? t("plan.errors.title")
        : charCount(v.title) > SHORT_MAX
          ? tooLong(SHORT_MAX)
          : undefined,
      description: charCount(v.description) > FIELD_MAX ? tooLong(FIELD_MAX) : undefined,
      responsible: charCount(v.responsible) > SHORT_MAX ? tooLong(SHORT_MAX) : undefined,
      targetDate: problems.targetDate ? t("plan.errors.date") : undefined,
    }),
    // The draft is kept: nothing typed is lost.
    failureMessage: (error) => t(editing ? "edit.failed" : "plan.failed", { message: errorText(error) }),
  });
  const titleField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (autoFocus) titleField.current?.focus();
  }, [autoFocus]);

  const v = form.values;

  function cancel() {
    // An empty form leaves no draft behind; anything typed is kept for next time. An edit
    // cancelled is let go.
    if (editing || !Object.values(v).some((value) => value.trim())) form.clear();
    onCancel();
  }

  const submit = form.handleSubmit(async () => {
    const input = {
      title: v.title.trim(),
      description: v.description.trim(),
      responsible: v.responsible.trim(),
      targetDate: v.targetDate || null,
    };
    if (editing) await editRecord(placementId, editing.recordId, { kind: "training_task", ...input });
    else await addTrainingTask(placementId, input);
    onSaved();
  });

  return (
    <Box padding="space-12" background="neutral-soft" borderRadius="8">
      <form
        onSubmit={submit}
        noValidate
        aria-label={editing ? t("edit.task") : t("plan.formLabel")}
        data-testid="plan-task-form"
      >
        <VStack gap="space-16">
          {form.restored && <DraftRestored onDiscard={form.clear} testId="plan-task-draft-restored" />}
          <TextField
            ref={titleField}
            id={ids.title}
            label={t("plan.title")}
            description={t("plan.titleDescription")}
            size="small"
            autoComplete="off"
            value={v.title}
            onChange={(e) => form.update({ title: e.target.value })}
            error={form.error("title")}
            aria-required
            data-testid="plan-task-title"
          />
          <Textarea
            id={ids.description}
            label={
              <>
                {t("plan.description")} ({t("app.optional")})
              </>
            }
            size="small"
            minRows={2}
            maxLength={FIELD_MAX}
            value={v.description}
            onChange={(e) => form.update({ description: e.target.value })}
            error={form.error("description")}
            data-testid="plan-task-description"
          />
          <TextField
            id={ids.responsible}
            label={
              <>
                {t("plan.responsible")} ({t("app.optional")})
              </>
            }
            description={t("plan.responsibleDescription")}
            size="small"
            autoComplete="off"
            value={v.responsible}
            onChange={(e) => form.update({ responsible: e.target.value })}
            error={form.error("responsible")}
            data-testid="plan-task-responsible"
          />
          {/* The date field reads its value when it mounts: a restored draft mounts it anew. */}
          <div key={form.resetKey}>
            <DateField
              id={ids.targetDate}
              label={
                <>
                  {t("plan.targetDate")} ({t("app.optional")})
                </>
              }
              value={v.targetDate}
              onChange={form.dateChange("targetDate")}
              error={form.error("targetDate")}
              testId="plan-task-date"
            />
          </div>
          {form.submitError && (
            <Alert variant="error" size="small" data-testid="plan-task-error">
              {form.submitError}
            </Alert>
          )}
          <HStack gap="space-12" wrap>
            <Button type="submit" size="small" loading={form.submitting} data-testid="plan-task-submit">
              {editing ? t("app.saveChanges") : t("plan.submit")}
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
