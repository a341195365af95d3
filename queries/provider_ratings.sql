-- provider_ratings: each provider's overall rating, score and every standard's rating.
-- Columns: provider_name, document_id (the rendering it came from), kind (methodology),
--   overall_rating, score/score_max, standard_code (framework code), standard_name, rating,
--   previous_rating (previous inspection, where printed), page/line (where the ratings table says so).
-- Text and PDF renderings of the same report appear as separate documents.
SELECT d.provider_name, d.document_id, d.kind, d.overall_rating,
       d.score || '/' || d.score_max AS score,
       s.standard_code, s.standard_name, s.rating, s.previous_rating, s.page, s.line
FROM documents d
JOIN standard_ratings s USING (document_id)
WHERE d.status = 'ok'
ORDER BY d.provider_name, d.document_id, string_split(s.standard_code, '.')[1]::INT,
         string_split(s.standard_code, '.')[2]::INT;
