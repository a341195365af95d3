-- league_table: each provider's latest inspection: overall rating, score and every standard's rating
--   side by side (one row per provider).
-- Columns: provider_name, provider_type, kind (methodology), published_year, overall_rating,
--   score, score_max, then one column per framework standard code ("1.1" Leadership ... "4.2"
--   Through the Gate); a standard's meaning depends on the methodology (see ref_standards), and a
--   cell is empty where the methodology has no such standard or the report gives no rating.
--   document_id is the rendering the row was read from.
SELECT r.provider_name, r.provider_type, r.kind, r.published_year, r.overall_rating, r.score, r.score_max,
       max(s.rating) FILTER (WHERE s.standard_code = '1.1') AS "1.1",
       max(s.rating) FILTER (WHERE s.standard_code = '1.2') AS "1.2",
       max(s.rating) FILTER (WHERE s.standard_code = '1.3') AS "1.3",
       max(s.rating) FILTER (WHERE s.standard_code = '1.4') AS "1.4",
       max(s.rating) FILTER (WHERE s.standard_code = '2.1') AS "2.1",
       max(s.rating) FILTER (WHERE s.standard_code = '2.2') AS "2.2",
       max(s.rating) FILTER (WHERE s.standard_code = '2.3') AS "2.3",
       max(s.rating) FILTER (WHERE s.standard_code = '2.4') AS "2.4",
       max(s.rating) FILTER (WHERE s.standard_code = '2.5') AS "2.5",
       max(s.rating) FILTER (WHERE s.standard_code = '2.6') AS "2.6",
       max(s.rating) FILTER (WHERE s.standard_code = '3.1') AS "3.1",
       max(s.rating) FILTER (WHERE s.standard_code = '3.2') AS "3.2",
       max(s.rating) FILTER (WHERE s.standard_code = '3.3') AS "3.3",
       max(s.rating) FILTER (WHERE s.standard_code = '3.4') AS "3.4",
       max(s.rating) FILTER (WHERE s.standard_code = '4.1') AS "4.1",
       max(s.rating) FILTER (WHERE s.standard_code = '4.2') AS "4.2",
       r.document_id
FROM reports r
JOIN standard_ratings s USING (document_id)
WHERE r.is_latest
GROUP BY ALL
ORDER BY r.provider_name;
