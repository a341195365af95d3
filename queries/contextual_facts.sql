-- contextual_facts: each report's contextual facts: its Key facts panel, or, where it prints none
--   (PDU reports), the figures its background states (population, proven reoffending rate and the
--   averages it is compared with).
-- Columns: provider_name, provider_type, published_year, source ('panel' or 'prose'), section,
--   value_text (as printed), number, unit (count, percent or GBP), description, england_and_wales_pct
--   and target_pct (stated with a panel's performance figures), page, line, document_id.
SELECT r.provider_name, r.provider_type, r.published_year, k.source, k.section, k.value_text, k.number, k.unit,
       k.description, k.england_and_wales_pct, k.target_pct, k.page, k.line, r.document_id
FROM reports r
JOIN key_facts k ON k.document_id = r.document_id
ORDER BY r.provider_name, r.published_year, k.page NULLS FIRST, k.line;
