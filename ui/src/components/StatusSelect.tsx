import { Alert, Select, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { codeLabel, type CodeList } from "../codes";
import { useErrorText } from "../errorText";

interface Props {
  /** Read by screen readers only: name the thing whose status this is. */
  label: string;
  /** The status the overview holds now. */
  status: string | null;
  codes: readonly string[];
  list: CodeList;
  /** Calls the command; rejects with its error. */
  save: (status: string) => Promise<void>;
  /** Saved: load the overview again. */
  onSaved: () => void;
  testId: string;
  errorTestId: string;
}

/**
 * A small status picker that saves as soon as it changes. Shows the chosen status while the
 * overview reloads, and the old one again (with the reason) when saving failed.
 */
export function StatusSelect({ label, status, codes, list, save, onSaved, testId, errorTestId }: Props) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  // The status chosen here, until the overview has caught up with it.
  const [pending, setPending] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A new status from the overview (this save, or another device's) replaces the chosen one.
  const [seen, setSeen] = useState(status);
  if (seen !== status) {
    setSeen(status);
    setPending(null);
  }
  const value = pending ?? status ?? "";

  async function change(next: string) {
    if (next === value) return;
    setPending(next);
    setError(null);
    try {
      await save(next);
      onSaved();
    } catch (e) {
      setPending(null);
      setError(t("statusSelect.failed", { message: errorText(e) }));
    }
  }

  return (
    <VStack gap="space-8">
      <Select
        label={label}
        hideLabel
        size="small"
        value={value}
        onChange={(e) => void change(e.target.value)}
        data-testid={testId}
      >
        {/* A status this version does not know is still shown as it is. */}
        {value && !codes.includes(value) && <option value={value}>{codeLabel(t, list, value)}</option>}
        {codes.map((code) => (
          <option key={code} value={code}>
            {codeLabel(t, list, code)}
          </option>
        ))}
      </Select>
      {error && (
        <Alert variant="error" size="small" data-testid={errorTestId}>
          {error}
        </Alert>
      )}
    </VStack>
  );
}
