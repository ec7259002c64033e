import { Alert } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { formatDate, todayIso } from "../../format";
import { currentLanguage } from "../../i18n";

/**
 * For the employer, once the placement is ended or cancelled: how long this device keeps it. The
 * relay refuses employer devices after that day, and the device deletes the placement.
 */
export function AccessEnds({ status, accessEnds }: { status: string; accessEnds: string }) {
  const { t } = useTranslation();
  const date = formatDate(accessEnds, currentLanguage());
  const over = todayIso() > accessEnds;
  return (
    <Alert variant={over ? "warning" : "info"} data-testid="access-ends" data-date={accessEnds}>
      {over
        ? t("overview.accessEnded", { date })
        : status === "cancelled"
          ? t("overview.accessEndsCancelled", { date })
          : t("overview.accessEndsEnded", { date })}
    </Alert>
  );
}
