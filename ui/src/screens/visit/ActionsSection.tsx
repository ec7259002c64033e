import { PlusIcon } from "@navikt/aksel-icons";
import { Button } from "@navikt/ds-react";
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { FormSection } from "../../components/FormSection";
import type { Form } from "../../hooks/useForm";
import { ActionRowFields } from "./ActionRowFields";
import { dueProblem, newRow, parseRows, type ActionRow, type VisitDraft } from "./visitDraft";

/** The actions agreed at the visit: a row each, added and removed as the talk goes. */
export function ActionsSection({ form }: { form: Form<VisitDraft> }) {
  const { t } = useTranslation();
  // The row just added: its first field takes focus once it is on screen.
  const focusRow = useRef<string | null>(null);
  const rows = parseRows(form.values.actions);

  function setRows(next: ActionRow[]) {
    form.update({ actions: JSON.stringify(next) });
  }

  function addRow() {
    const row = newRow();
    focusRow.current = row.key;
    setRows([...rows, row]);
  }

  function removeRow(key: string) {
    setRows(rows.filter((row) => row.key !== key));
    form.setProblem(dueProblem(key), null);
  }

  return (
    <FormSection id="visit-actions" title={t("visit.actionsSection")} description={t("visit.actionsDescription")}>
      <ol className="plain-list" data-testid="visit-actions">
        {rows.map((row, i) => (
          <li key={row.key} data-testid="visit-action">
            <ActionRowFields
              form={form}
              row={row}
              n={i + 1}
              focusRowRef={focusRow}
              onChange={(patch) => setRows(rows.map((r) => (r.key === row.key ? { ...r, ...patch } : r)))}
              onRemove={() => removeRow(row.key)}
            />
          </li>
        ))}
      </ol>
      <div>
        <Button
          type="button"
          variant="secondary"
          size="small"
          icon={<PlusIcon aria-hidden />}
          onClick={addRow}
          data-testid="visit-add-action"
        >
          {t("visit.addAction")}
        </Button>
      </div>
    </FormSection>
  );
}
