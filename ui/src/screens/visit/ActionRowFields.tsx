import { TrashIcon } from "@navikt/aksel-icons";
import { Box, Button, Fieldset, HStack, Select, TextField, VStack } from "@navikt/ds-react";
import type { RefObject } from "react";
import { useTranslation } from "react-i18next";
import { ACTION_OWNERS, type ActionOwner } from "../../codes";
import { DateField } from "../../components/DateField";
import type { Form } from "../../hooks/useForm";
import { dueProblem, rowIds, type ActionRow, type VisitDraft } from "./visitDraft";

interface Props {
  form: Form<VisitDraft>;
  row: ActionRow;
  /** The row's place in the list, from 1 (in its legend and messages). */
  n: number;
  /** The key of a row just added: its first field takes focus when it appears. */
  focusRowRef: RefObject<string | null>;
  onChange: (patch: Partial<ActionRow>) => void;
  onRemove: () => void;
}

/** One agreed action: what, who, by when. Its messages show after a submit. */
export function ActionRowFields({ form, row, n, focusRowRef, onChange, onRemove }: Props) {
  const { t } = useTranslation();
  const ids = rowIds(row.key);
  return (
    <Box padding="space-16" background="raised" borderRadius="12" borderWidth="1" borderColor="neutral-subtle">
      <Fieldset legend={t("visit.actionLegend", { n })} size="small">
        <VStack gap="space-12">
          <TextField
            id={ids.what}
            ref={(el) => {
              if (el && focusRowRef.current === row.key) {
                focusRowRef.current = null;
                el.focus();
              }
            }}
            label={t("visit.actionWhat")}
            autoComplete="off"
            value={row.what}
            onChange={(ev) => onChange({ what: ev.target.value })}
            error={form.error(ids.what)}
            data-testid="visit-action-what"
          />
          <HStack gap="space-16" align="start" wrap>
            <Select
              id={`visit-action-owner-${row.key}`}
              label={t("visit.actionOwner")}
              value={row.owner}
              onChange={(ev) => onChange({ owner: ev.target.value })}
              data-testid="visit-action-owner"
            >
              {ACTION_OWNERS.map((owner: ActionOwner) => (
                <option key={owner} value={owner}>
                  {t(`actionOwner.${owner}`)}
                </option>
              ))}
            </Select>
            <DateField
              key={form.resetKey}
              id={ids.due}
              label={
                <>
                  {t("visit.actionDue")} ({t("app.optional")})
                </>
              }
              value={row.due}
              onChange={(due, problem) => {
                onChange({ due });
                form.setProblem(dueProblem(row.key), problem);
              }}
              error={form.error(ids.due)}
              testId="visit-action-due"
            />
          </HStack>
          <div>
            <Button
              type="button"
              size="small"
              variant="tertiary"
              icon={<TrashIcon aria-hidden />}
              onClick={onRemove}
              data-testid="visit-remove-action"
            >
              {t("visit.removeAction", { n })}
            </Button>
          </div>
        </VStack>
      </Fieldset>
    </Box>
  );
}
