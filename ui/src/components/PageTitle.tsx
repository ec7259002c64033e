import { Heading } from "@navikt/ds-react";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

/** The screen's h1. Takes focus when the screen opens, so screen readers hear where they are. */
export function PageTitle({ children, testId }: { children: string; testId?: string }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  useEffect(() => {
    document.title = `${children} – ${t("app.name")}`;
  }, [children, t]);
  return (
    <Heading level="1" size="large" ref={ref} tabIndex={-1} data-testid={testId}>
      {children}
    </Heading>
  );
}
