import { PadlockLockedIcon } from "@navikt/aksel-icons";
import { Tag } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";

/** "Bare for NAV": marks what lives only in the adviser's private document, never shared. */
export function NavOnlyTag({ size = "small" }: { size?: "small" | "xsmall" }) {
  const { t } = useTranslation();
  return (
    <Tag
      size={size}
      variant="moderate"
      data-color="warning"
      icon={<PadlockLockedIcon aria-hidden />}
      data-testid="nav-only-tag"
    >
      {t("app.navOnly")}
    </Tag>
  );
}
