-- previous_recommendation_progress: the recommendations of each provider's previous inspection, the progress
--   the report records on each, and the count the report states for that progress in its summary.
-- Columns: provider_name, published_year, number, recommendation (its text), progress ('no progress',
--   'some progress', 'sufficient progress', ... as the report words it), verdicts_with_this_progress
--   (how many recommendations the report gives this verdict), stated_in_summary (the count its
--   summary states for this progress, where it states one), document_id, page, line (of the verdict).
SELECT r.provider_name, r.published_year, p.number, p.text AS recommendation, p.progress,
       count(*) OVER (PARTITION BY p.document_id, p.progress) AS verdicts_with_this_progress,
       s.count AS stated_in_summary,
       p.document_id, p.progress_page AS page, p.progress_line AS line
FROM reports r
JOIN previous_recommendations p USING (document_id)
LEFT JOIN (SELECT document_id, category, min(count) AS count FROM previous_recommendations_summary
           GROUP BY ALL) s ON s.document_id = p.document_id AND s.category = p.progress
ORDER BY r.provider_name, r.published_year, p.number;
