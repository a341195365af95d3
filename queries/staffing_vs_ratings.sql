-- staffing_vs_ratings: each report's staffing and caseload figures (current year) beside its ratings.
-- Columns: provider_name, published_year, overall_rating, score, score_max, staff_rating (standard
--   1.2 Staff), staff_fte_total, po_fte, pso_fte (full-time equivalents), vacancy_rate,
--   vacancy_rate_po, attrition_rate, unmanageable_po_pct (percentages), sickness_days_per_year,
--   caseload_po, caseload_pso (average cases per FTE), figures_from ('table', 'prose' where the
--   report states them only in running text, as PDU reports do), document_id.
-- A figure printed only in words (e.g. '6% over specification') is null here; see workforce.note.
WITH w AS (
    SELECT document_id, metric_code, source, value,
           row_number() OVER (PARTITION BY document_id, metric_code
                              ORDER BY (source = 'table') DESC, line) AS pick
    FROM workforce
    WHERE period = 'current_year' AND metric_code IS NOT NULL AND value IS NOT NULL
)
SELECT r.provider_name, r.published_year, r.overall_rating, r.score, r.score_max,
       (SELECT s.rating FROM standard_ratings s WHERE s.document_id = r.document_id AND s.standard_code = '1.2')
           AS staff_rating,
       max(value) FILTER (WHERE metric_code = 'staff_fte_total') AS staff_fte_total,
       max(value) FILTER (WHERE metric_code = 'po_fte') AS po_fte,
       max(value) FILTER (WHERE metric_code = 'pso_fte') AS pso_fte,
       max(value) FILTER (WHERE metric_code = 'vacancy_rate') AS vacancy_rate,
       max(value) FILTER (WHERE metric_code = 'vacancy_rate_po') AS vacancy_rate_po,
       max(value) FILTER (WHERE metric_code = 'attrition_rate') AS attrition_rate,
       max(value) FILTER (WHERE metric_code = 'unmanageable_po_pct') AS unmanageable_po_pct,
       max(value) FILTER (WHERE metric_code = 'sickness_days_per_year') AS sickness_days_per_year,
       max(value) FILTER (WHERE metric_code = 'caseload_po') AS caseload_po,
       max(value) FILTER (WHERE metric_code = 'caseload_pso') AS caseload_pso,
       string_agg(DISTINCT source, ', ' ORDER BY source) AS figures_from,
       r.document_id
FROM reports r
JOIN w ON w.document_id = r.document_id AND w.pick = 1
WHERE r.overall_rating IS NOT NULL
GROUP BY ALL
ORDER BY r.provider_name, r.published_year;
