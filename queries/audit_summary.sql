-- audit_summary: the audit's findings per report and rule.
-- Columns: provider_name, published_year, overall_rating, rule (see ref_rules and the README),
--   findings, contradictions (unexplained), minor (rounding or wording), explained (the report
--   explains the difference, e.g. professional discretion), info (worth knowing, not a
--   contradiction: previous ratings against previous figures), unverified (the rule rests on a
--   methodology entry not confirmed by a published source), subjects (standard codes or topics),
--   document_id. Reports with no finding have no row.
SELECT r.provider_name, r.published_year, r.overall_rating, f.rule,
       count(*) AS findings,
       count(*) FILTER (WHERE f.severity = 'contradiction') AS contradictions,
       count(*) FILTER (WHERE f.severity = 'minor') AS minor,
       count(*) FILTER (WHERE f.severity = 'explained') AS explained,
       count(*) FILTER (WHERE f.severity = 'info') AS info,
       count(*) FILTER (WHERE f.rule_status <> 'confirmed') AS unverified,
       string_agg(DISTINCT f.subject, ', ' ORDER BY f.subject) AS subjects,
       r.document_id
FROM reports r
JOIN audit_findings f USING (document_id)
GROUP BY ALL
ORDER BY contradictions DESC, r.provider_name, f.rule;
