-- Which role wrote a shared note (`adviser`, `employer`), so a screen can offer its author, and
-- only its author's role, to edit it. A store written before this migration has its projection
-- rebuilt once from the documents (`schema::REPROJECT_FROM`); the adviser's own notes are `adviser`.
ALTER TABLE notes ADD COLUMN author_role TEXT;
