//! Half-written forms, kept encrypted until they are saved or cleared. Drafts are not records:
//! no document, no projection, no audit entry.

use folgesvenn_domain::{DocError, Field, ValidationError};
use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

impl Store {
    /// Keeps a half-written form (JSON from the UI) until it is saved or cleared. Drafts are not
    /// records: no document, no projection, no audit entry; but encrypted like everything else.
    pub fn save_draft(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        const MAX_DRAFT: usize = 256 * 1024;
        if key.is_empty() || key.len() > 200 || value.len() > MAX_DRAFT {
            return Err(StoreError::Document(DocError::Invalid(
                ValidationError::TooLong {
                    field: Field::Draft,
                    max: MAX_DRAFT,
                    len: value.len(),
                },
            )));
        }
        let at = self.stamp().at.to_string();
        self.conn.execute(
            "INSERT INTO drafts (key, value, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, saved_at = excluded.saved_at",
            params![key, value, at],
        )?;
        Ok(())
    }

    pub fn load_draft(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM drafts WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn clear_draft(&mut self, key: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM drafts WHERE key = ?1", [key])?;
        Ok(())
    }
}
