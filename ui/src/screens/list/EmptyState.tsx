import { BodyLong, Box, Heading, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { Role } from "../../bindings/Role";
import { JoinButton } from "./JoinButton";

/**
 * No placements on this device yet: what to do first (the employer joins one here; an adviser
 * creates one, or joins with a code from her other device).
 */
export function EmptyState({ role }: { role: Role | null }) {
  const { t } = useTranslation();
  return (
    <Box
      padding="space-24"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      data-testid="placement-list-empty"
    >
      <VStack gap="space-8">
        <Heading level="2" size="small">
          {t("list.emptyHeading")}
        </Heading>
        <BodyLong>{role === "adviser" ? t("list.emptyAdviser") : t("list.emptyEmployer")}</BodyLong>
        {role === "employer" && (
          <div>
            <JoinButton variant="primary" />
          </div>
        )}
        {role === "adviser" && (
          <>
            <BodyLong>{t("list.emptyAdviserJoin")}</BodyLong>
            <div>
              <JoinButton variant="secondary" />
            </div>
          </>
        )}
      </VStack>
    </Box>
  );
}
