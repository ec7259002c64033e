import { BodyShort, Heading, VStack } from "@navikt/ds-react";
import type { ReactNode } from "react";

/** A titled group of fields (h2), so a long form reads in a few short steps. */
export function FormSection({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description?: string;
  children: ReactNode;
}) {
  const heading = (
    <Heading level="2" size="small" id={`${id}-heading`}>
      {title}
    </Heading>
  );
  return (
    <VStack as="section" gap="space-16" aria-labelledby={`${id}-heading`}>
      {description ? (
        <VStack gap="space-4">
          {heading}
          <BodyShort textColor="subtle">{description}</BodyShort>
        </VStack>
      ) : (
        heading
      )}
      {children}
    </VStack>
  );
}
