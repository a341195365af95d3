-- provider_key_questions: every key-question percentage of every provider, with its comparator.
-- Columns: provider_name, document_id, standard_code, question, current_pct (percent 'yes' now),
--   previous_pct (previous inspection), comparator_pct with comparator_label (e.g. All CRCs),
--   qualitative_only (no percentage by design), page/line of the question.
SELECT d.provider_name, k.document_id, k.standard_code, k.question,
       k.current_pct, k.previous_pct, k.comparator_pct, k.comparator_label, k.qualitative_only,
       k.page, k.line
FROM key_questions k
JOIN documents d USING (document_id)
WHERE d.status = 'ok'
ORDER BY d.provider_name, k.document_id, k.standard_code, k.line;
