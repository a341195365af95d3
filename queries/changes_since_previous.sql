-- changes_since_previous: how each provider's standard ratings and key-question percentages changed
--   from its previous inspection, as the report itself prints them (the 'previous' columns).
-- Columns: provider_name, published_year, item_type ('standard' or 'key question'), standard_code,
--   item (the standard's name or the key question), previous and current (rating, or percentage as
--   text), change (in rating steps, Inadequate 0 ... Outstanding 3, or in percentage points;
--   positive is better), direction (improved, declined, unchanged), document_id, page, line.
SELECT r.provider_name, r.published_year, 'standard' AS item_type, s.standard_code,
       s.standard_name AS item, s.previous_rating AS previous, s.rating AS current,
       (cur.score - prev.score)::DOUBLE AS change,
       CASE WHEN cur.score > prev.score THEN 'improved' WHEN cur.score < prev.score THEN 'declined'
            ELSE 'unchanged' END AS direction,
       s.document_id, s.page, s.line
FROM reports r
JOIN standard_ratings s USING (document_id)
JOIN ref_rating_scores cur ON cur.rating = s.rating
JOIN ref_rating_scores prev ON prev.rating = s.previous_rating
UNION ALL
SELECT r.provider_name, r.published_year, 'key question', k.standard_code, k.question,
       k.previous_pct::VARCHAR || '%', k.current_pct::VARCHAR || '%',
       k.current_pct - k.previous_pct,
       CASE WHEN k.current_pct > k.previous_pct THEN 'improved' WHEN k.current_pct < k.previous_pct
            THEN 'declined' ELSE 'unchanged' END,
       k.document_id, k.page, k.line
FROM reports r
JOIN key_questions k USING (document_id)
WHERE k.previous_pct IS NOT NULL AND k.current_pct IS NOT NULL
ORDER BY provider_name, published_year, item_type DESC, standard_code, line;
