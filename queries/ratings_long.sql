-- ratings_long: every rating of every report, one row per standard: the long form of the league
--   table, for analysis (group by standard across frameworks, count ratings, follow a provider).
-- Columns: provider_name, provider_type, kind (inspection type / methodology), published_year,
--   is_latest (the provider's most recent report), standard_code (as the framework numbers it),
--   standard_name, league_column (the same for the same standard in every framework), domain,
--   rating, rating_score (points towards the report's score: Inadequate 0 ... Outstanding 3; NULL for
--   'Not rated'), in_score (whether the standard counts towards the score), overall_rating, score,
--   score_max, document_id (the rendering read).
SELECT r.provider_name, r.provider_type, r.kind, r.published_year, r.is_latest,
       s.standard_code, s.standard_name, rs.league_column, s.domain, s.rating, sc.score AS rating_score,
       rs.in_score, r.overall_rating, r.score, r.score_max, r.document_id
FROM reports r
JOIN standard_ratings s USING (document_id)
LEFT JOIN ref_standards rs ON rs.methodology = r.kind AND rs.code = s.standard_code
LEFT JOIN ref_rating_scores sc ON sc.rating = s.rating
ORDER BY r.provider_name, r.published_year, s.domain, s.standard_code;
