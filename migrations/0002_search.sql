-- 0002: full-text search over the metadata, in folded form (no diacritics, đ → d, lower case).
-- vanthu_fold() is registered by vanthu-store on every connection (vanthu-core::text::fold).
-- Contentless: the index holds only tokens; rows are shown from `document`.
CREATE VIRTUAL TABLE document_search USING fts5 (
    folded,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61',
    prefix = '2 3'
);

INSERT INTO document_search (rowid, folded)
SELECT rowid, vanthu_search_text(
    subject, organ_name, code_number, code_notation, type_name, signer, handler, recipients, note)
FROM document;
