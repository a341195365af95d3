-- league_table: each provider's latest inspection: overall rating, score and every standard's rating
--   side by side (one row per provider).
-- Columns: provider_name, provider_type, kind (methodology), published_year, overall_rating,
--   score, score_max, then one column per standard, named by what it is (leadership, staff,
--   ..., planning, ..., through_the_gate): the same column for the same standard in every framework
--   (planning is 2.2 in a CRC report and 2.3 in a PDU report; ref_standards.league_column maps
--   codes to columns), empty where the methodology has no such standard or the report gives no
--   rating. document_id is the rendering the row was read from. ratings_long has the same ratings
--   one per row, with codes and names.
SELECT r.provider_name, r.provider_type, r.kind, r.published_year, r.overall_rating, r.score, r.score_max,
       max(s.rating) FILTER (WHERE rs.league_column = 'leadership') AS leadership,
       max(s.rating) FILTER (WHERE rs.league_column = 'staff') AS staff,
       max(s.rating) FILTER (WHERE rs.league_column = 'services') AS services,
       max(s.rating) FILTER (WHERE rs.league_column = 'information_and_facilities') AS information_and_facilities,
       max(s.rating) FILTER (WHERE rs.league_column = 'court_work') AS court_work,
       max(s.rating) FILTER (WHERE rs.league_column = 'court_reports_and_case_allocation') AS court_reports_and_case_allocation,
       max(s.rating) FILTER (WHERE rs.league_column = 'assessment') AS assessment,
       max(s.rating) FILTER (WHERE rs.league_column = 'planning') AS planning,
       max(s.rating) FILTER (WHERE rs.league_column = 'implementation_and_delivery') AS implementation_and_delivery,
       max(s.rating) FILTER (WHERE rs.league_column = 'reviewing') AS reviewing,
       max(s.rating) FILTER (WHERE rs.league_column = 'outcomes') AS outcomes,
       max(s.rating) FILTER (WHERE rs.league_column = 'unpaid_work') AS unpaid_work,
       max(s.rating) FILTER (WHERE rs.league_column = 'through_the_gate') AS through_the_gate,
       max(s.rating) FILTER (WHERE rs.league_column = 'statutory_victim_work') AS statutory_victim_work,
       max(s.rating) FILTER (WHERE rs.league_column = 'out_of_court_assessment') AS out_of_court_assessment,
       max(s.rating) FILTER (WHERE rs.league_column = 'out_of_court_planning') AS out_of_court_planning,
       max(s.rating) FILTER (WHERE rs.league_column = 'out_of_court_implementation_and_delivery') AS out_of_court_implementation_and_delivery,
       max(s.rating) FILTER (WHERE rs.league_column = 'out_of_court_policy_and_provision') AS out_of_court_policy_and_provision,
       max(s.rating) FILTER (WHERE rs.league_column = 'resettlement_policy_and_provision') AS resettlement_policy_and_provision,
       r.document_id
FROM reports r
JOIN standard_ratings s USING (document_id)
LEFT JOIN ref_standards rs ON rs.methodology = r.kind AND rs.code = s.standard_code
WHERE r.is_latest
GROUP BY ALL
ORDER BY r.provider_name;
