import { ErrorSummary } from "@navikt/ds-react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

export interface FieldError {
  /** The id of the input, to jump to. */
  id: string;
  message: string;
}

/** Shown after a submit with errors; takes focus so the user hears what to fix. */
export function FormErrorSummary({ errors, attempt }: { errors: FieldError[]; attempt: number }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const show = attempt > 0 && errors.length > 0;
  useEffect(() => {
    if (attempt > 0) ref.current?.focus();
  }, [attempt]);
  if (!show) return null;
  return (
    <ErrorSummary ref={ref} heading={t("app.errorSummary")} data-testid="error-summary">
      {errors.map((e) => (
        <ErrorSummary.Item
          key={e.id}
          href={`#${e.id}`}
          onClick={(event) => {
            // The hash belongs to the router: focus the field instead of following the link.
            event.preventDefault();
            document.getElementById(e.id)?.focus();
          }}
        >
          {e.message}
        </ErrorSummary.Item>
      ))}
    </ErrorSummary>
  );
}
