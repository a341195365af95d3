-- rendering_disagreements: what the renderings of one report (text, markdown, PDF, web page) read
--   differently. Empty when every rendering gives the same rows; a row here means at least one
--   rendering was misread (or the publisher's renderings differ): check that report by hand.
-- Columns: provider_name, kind, published_year, published_month, item (what differs: a standard's
--   rating, the overall rating, the score, a key question's percentage, the number of
--   recommendations, prompts or key questions read), renderings (how many the corpus holds),
--   values (each rendering's value: 'document_id: value', '(none)' where it read nothing).
-- Two documents are renderings of one report when provider, methodology and publication date agree.
WITH docs AS (
    SELECT document_id, provider_name, kind, published_year, published_month,
           count(*) OVER (PARTITION BY provider_name, kind, published_year, published_month) AS renderings
    FROM documents
    WHERE status = 'ok' AND is_report
),
facts AS (
    SELECT document_id, 'rating of ' || standard_code AS item, rating AS value FROM standard_ratings
    UNION ALL SELECT document_id, 'overall rating', overall_rating FROM documents
    UNION ALL SELECT document_id, 'score', CAST(score AS VARCHAR) FROM documents
    UNION ALL SELECT document_id, 'key question ' || standard_code || ' ' || question, CAST(current_pct AS VARCHAR)
              FROM key_questions
    UNION ALL SELECT document_id, 'key questions read', CAST(count(*) AS VARCHAR) FROM key_questions GROUP BY ALL
    UNION ALL SELECT document_id, 'prompts read', CAST(count(*) AS VARCHAR) FROM prompts GROUP BY ALL
    UNION ALL SELECT document_id, 'recommendations read', CAST(count(*) AS VARCHAR) FROM recommendations GROUP BY ALL
),
items AS (
    SELECT DISTINCT d.provider_name, d.kind, d.published_year, d.published_month, f.item
    FROM docs d JOIN facts f USING (document_id)
    WHERE d.renderings > 1
),
grid AS (
    SELECT i.*, d.document_id, d.renderings, f.value
    FROM items i
    JOIN docs d ON d.provider_name IS NOT DISTINCT FROM i.provider_name AND d.kind = i.kind
               AND d.published_year IS NOT DISTINCT FROM i.published_year
               AND d.published_month IS NOT DISTINCT FROM i.published_month
    LEFT JOIN facts f ON f.document_id = d.document_id AND f.item = i.item
)
SELECT provider_name, kind, published_year, published_month, item, any_value(renderings) AS renderings,
       string_agg(document_id || ': ' || coalesce(value, '(none)'), '; ' ORDER BY document_id) AS "values"
FROM grid
GROUP BY ALL
HAVING count(DISTINCT coalesce(value, '(none)')) > 1
ORDER BY provider_name, published_year, published_month, item;
