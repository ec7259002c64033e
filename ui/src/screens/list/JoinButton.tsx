import { LinkIcon } from "@navikt/aksel-icons";
import { Button } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { href } from "../../hooks/useRoute";

/** The employer's way in: a code from the adviser connects this device to a placement. */
export function JoinButton({ variant }: { variant: "primary" | "secondary" }) {
  const { t } = useTranslation();
  return (
    <Button
      as="a"
      href={href({ name: "join" })}
      variant={variant}
      icon={<LinkIcon aria-hidden />}
      data-testid="join-placement"
    >
      {t("list.join")}
    </Button>
  );
}
