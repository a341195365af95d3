-- standard_key_questions: the key-question percentages of each standard across all providers
--   (filter on standard_code, e.g. `inspections query standard_key_questions --where "standard_code = '2.1'"`).
-- Columns: standard_code, standard_name, provider_name, published_year, rating (the standard's rating
--   in that report), question, current_pct (percentage of cases 'yes'), previous_pct (previous
--   inspection, as printed in the same report), comparator_pct with comparator_label (e.g. All CRCs),
--   band (the rating band the percentage falls in, from ref_kq_bands), document_id, page, line.
SELECT k.standard_code, s.standard_name, r.provider_name, r.published_year, s.rating, k.question,
       k.current_pct, k.previous_pct, k.comparator_pct, k.comparator_label,
       b.rating AS band, k.document_id, k.page, k.line
FROM reports r
JOIN key_questions k USING (document_id)
LEFT JOIN standard_ratings s ON s.document_id = k.document_id AND s.standard_code = k.standard_code
LEFT JOIN ref_kq_bands b ON k.current_pct >= b.min_pct AND k.current_pct < b.max_pct + 1
WHERE k.current_pct IS NOT NULL
ORDER BY string_split(k.standard_code, '.')[1]::INT, string_split(k.standard_code, '.')[2]::INT,
         r.provider_name, k.line;
