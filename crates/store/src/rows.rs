//! Reading typed values out of rows: an id column that does not hold a UUID is an error, never
//! the nil id.

use rusqlite::Row;
use rusqlite::types::Type;
use uuid::Uuid;

/// The UUID in text column `i`.
pub(crate) fn id(row: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let text: String = row.get(i)?;
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}
