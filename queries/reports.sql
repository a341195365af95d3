-- reports: one row per inspection report, whatever number of renderings (text, markdown, PDF) the
--   corpus holds of it; the base of the other queries.
-- Columns: provider_name, provider_type, kind (methodology), published_year/published_month,
--   document_id (the rendering the other queries read: a PDF where there is one), renderings (every
--   document_id of the same report), overall_rating, score, score_max,
--   cases_inspected (the case supervision sample the report states: the base of its percentages),
--   fieldwork_month (YYYY-MM, where the report dates its fieldwork),
--   is_latest (true for the provider's most recent report in the database).
-- Two documents are renderings of one report when provider, methodology and publication date agree.
WITH ok AS (
    SELECT *, row_number() OVER (
               PARTITION BY provider_name, kind, published_year, published_month
               ORDER BY (format = 'pdf') DESC, length(document_id), document_id) AS rendering_rank,
           list(document_id) OVER (
               PARTITION BY provider_name, kind, published_year, published_month
               ORDER BY document_id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS renderings
    FROM documents
    WHERE status = 'ok' AND is_report
)
SELECT provider_name, provider_type, kind, published_year, published_month, document_id, renderings,
       overall_rating, score, score_max,
       (SELECT cases FROM case_samples s WHERE s.document_id = ok.document_id AND s.sample = 'case_supervision')
           AS cases_inspected,
       fieldwork_month,
       row_number() OVER (PARTITION BY provider_name
                          ORDER BY published_year DESC NULLS LAST, published_month DESC NULLS LAST) = 1 AS is_latest
FROM ok
WHERE rendering_rank = 1
ORDER BY provider_name, published_year, published_month;
