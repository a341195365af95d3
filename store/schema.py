"""The public schema: every table, its columns, types and meaning, as data.

Adding a table is one entry in TABLES. docs/schema.md is generated
from the same descriptions (``inspections schema --markdown``), so the two cannot
drift apart.
"""
from __future__ import annotations

#: rows of a document in these tables are replaced together when the document changes
PER_DOCUMENT = ["pages", "standard_ratings", "key_questions", "prompts", "workforce", "key_facts",
                "recommendations", "previous_recommendations", "previous_recommendations_summary",
                "prose_figures", "other_tables", "case_samples", "sample_statements", "extraction_notes",
                "extraction_checks"]

TABLES: dict[str, dict] = {
    "documents": {
        "doc": "One row per source file seen by a refresh, whatever became of it.",
        "key": ["document_id"],
        "columns": [
            ("document_id", "VARCHAR", "Stable id: the file's path relative to the folder it was found under"),
            ("source_path", "VARCHAR", "Absolute path of the file when last seen"),
            ("source_url", "VARCHAR", "The URL the file was downloaded from by `inspections fetch` (its manifest), if it was"),
            ("fetched_at", "TIMESTAMP", "When `inspections fetch` downloaded it (UTC), if it did"),
            ("sha256", "VARCHAR", "SHA-256 of the file's bytes (change detection)"),
            ("format", "VARCHAR", "pdf, text, markdown or html (a saved web page); other for a file of a type the pipeline does not read (status failed, the error says so)"),
            ("size_bytes", "BIGINT", "File size"),
            ("pages", "INTEGER", "PDF: page count. Text: highest page number recovered from page footers, else NULL"),
            ("lines", "INTEGER", "Number of lines in the document model"),
            ("kind", "VARCHAR", "Methodology: crc_inspection_2018_2020, nps_inspection_2018_2021, pdu_inspection_2021_on "
                                "(PDU framework 1), pdu_inspection_2023_on (PDU framework 2, told apart by the "
                                "standards the report numbers, its score maximum, then its date), "
                                "regional_inspection_2023_on, national_inspection, dynamic_public_protection_2025_on, "
                                "youth_justice_inspection, youth_justice_inspection_2025_on, quality_and_impact_2016_2018, "
                                "thematic_inspection, commentary (not a report) or unknown"),
            ("methodology", "VARCHAR", "Human-readable label of kind"),
            ("is_report", "BOOLEAN", "False for documents that are not inspection reports"),
            ("provider_name", "VARCHAR", "The inspected body as the report names it"),
            ("provider_type", "VARCHAR", "CRC, NPS division, PDU, YOS, region, national or area"),
            ("title", "VARCHAR", "Title where printed"),
            ("published_year", "INTEGER", "Publication year, stated or implied"),
            ("published_month", "INTEGER", "Publication month (1-12) where stated"),
            ("published_stated", "BOOLEAN", "True if the date is printed; False if implied (see published_evidence)"),
            ("published_evidence", "VARCHAR", "The printed date line, or why the year is implied"),
            ("classification_evidence", "VARCHAR", "The cues that decided kind"),
            ("fieldwork_start", "DATE", "The day the inspection's fieldwork began, where the report prints it"),
            ("fieldwork_month", "VARCHAR", "YYYY-MM of the fieldwork, where the report prints at least the month"),
            ("fieldwork_evidence", "VARCHAR", "The sentence that dates the fieldwork"),
            ("fieldwork_page", "INTEGER", "Page of that sentence"),
            ("fieldwork_line", "INTEGER", "Line of that sentence"),
            ("lead_inspector", "VARCHAR", "The inspector who led the inspection, as the report names them"),
            ("lead_inspector_line", "INTEGER", "Line that names them"),
            ("status", "VARCHAR", "ok, not_a_report, failed or missing (file no longer present; rows kept)"),
            ("error", "VARCHAR", "Why a document failed or is not a report, in words"),
            ("completeness", "VARCHAR", "complete: every extraction check passed; partial: at least one row in "
             "extraction_checks says what was not read (or read in surplus); NULL for a document that is not a "
             "report or failed"),
            ("overall_rating", "VARCHAR", "Overall rating from the ratings table (rating vocabulary)"),
            ("score", "INTEGER", "Stated score, e.g. 13 of 13/30"),
            ("score_max", "INTEGER", "Stated maximum, e.g. 30 of 13/30"),
            ("score_page", "INTEGER", "Page of the score cell"),
            ("score_line", "INTEGER", "Line of the score cell"),
            ("overall_page", "INTEGER", "Page of the overall rating"),
            ("overall_line", "INTEGER", "Line of the overall rating"),
            ("extractor_version", "VARCHAR", "Package version that extracted the rows"),
            ("first_seen", "TIMESTAMP", "When a refresh first saw the document"),
            ("extracted_at", "TIMESTAMP", "When its rows were last extracted"),
            ("last_seen", "TIMESTAMP", "When a refresh last found the file"),
        ],
    },
    "document_sources": {
        "doc": "Every file path a refresh has seen. The same content under two names is one document with two paths.",
        "key": ["source_path"],
        "columns": [
            ("document_id", "VARCHAR", "The document this file is (the first path with this content)"),
            ("source_path", "VARCHAR", "Absolute path"),
            ("sha256", "VARCHAR", "SHA-256 of the file"),
            ("duplicate", "BOOLEAN", "True where another path holds the same content and is the document"),
            ("present", "BOOLEAN", "False once a refresh no longer finds the file"),
            ("first_seen", "TIMESTAMP", "First refresh that saw the path"),
            ("last_seen", "TIMESTAMP", "Last refresh that saw the path"),
        ],
    },
    "pages": {
        "doc": "The text of each page (PDF) or recovered page (text rendering; page NULL where unknown).",
        "key": [], "unique": ["document_id", "page", "first_line"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("page", "INTEGER", "Page number, NULL where a text rendering does not show it"),
            ("first_line", "INTEGER", "First line of the page (file line for text, 1 for PDF)"),
            ("last_line", "INTEGER", "Last line of the page"),
            ("text", "VARCHAR", "Text as read (stored zstd-compressed: page text is most of the file)"),
        ],
        # page text is the bulk of the database: DuckDB's own choice stored most of it uncompressed at a
        # few thousand documents (a 462 MB file for 5,000 benchmark documents; 31 MB with zstd)
        "compression": {"text": "zstd"},
    },
    "standard_ratings": {
        "doc": "One row per standard: the ratings table's rating, and the rating printed beside the standard's heading in the body.",
        "key": ["document_id", "standard_code"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("standard_code", "VARCHAR", "The framework's code (CRC unpaid work and Through the Gate are 4.1/4.2)"),
            ("printed_code", "VARCHAR", "The code printed beside the standard, if any"),
            ("domain", "INTEGER", "Domain number"),
            ("standard_name", "VARCHAR", "The framework's name of the standard"),
            ("ratings_table_label", "VARCHAR", "The label as printed in the ratings table"),
            ("rating", "VARCHAR", "Rating (Outstanding, Good, Requires improvement, Inadequate, Not rated)"),
            ("previous_rating", "VARCHAR", "Previous inspection's rating, where printed"),
            ("in_ratings_table", "BOOLEAN", "False for a standard rated only in the body (e.g. PDU court work 'Not rated')"),
            ("code_inferred", "BOOLEAN", "True where the report prints no code and it was inferred from the domain"),
            ("page", "INTEGER", "Page of the ratings-table row"),
            ("line", "INTEGER", "Line of the ratings-table row"),
            ("body_rating", "VARCHAR", "Rating printed beside the standard's heading in the body"),
            ("body_previous_rating", "VARCHAR", "Previous rating printed beside the heading in the body"),
            ("body_page", "INTEGER", "Page of the body rating"),
            ("body_line", "INTEGER", "Line of the body rating"),
        ],
    },
    "key_questions": {
        "doc": "Every key-question row of the body's percentage tables (domains two and three, and outcomes).",
        "key": [], "unique": ["document_id", "standard_code", "page", "line"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("standard_code", "VARCHAR", "The framework's code of the standard the table belongs to"),
            ("printed_code", "VARCHAR", "The code printed in the heading above the table"),
            ("question", "VARCHAR", "The key question, de-wrapped"),
            ("current_pct", "DOUBLE", "Current inspection, percent 'yes' (NULL for a qualitative-only row)"),
            ("previous_pct", "DOUBLE", "Previous inspection, percent (NULL if not printed or 'No comparable data available')"),
            ("comparator_pct", "DOUBLE", "Comparator column, percent"),
            ("comparator_label", "VARCHAR", "Comparator column heading, e.g. All CRCs"),
            ("column_label", "VARCHAR", "Heading of a single value column, e.g. Percentage 'Yes'"),
            ("qualitative_only", "BOOLEAN", "True for a question answered by qualitative evidence only"),
            ("not_rated", "BOOLEAN", "True where the standard is never rated (PDU outcomes)"),
            ("current_text", "VARCHAR", "Printed words where current_pct is NULL"),
            ("previous_text", "VARCHAR", "Printed words where previous_pct is NULL"),
            ("comparator_text", "VARCHAR", "Printed words where comparator_pct is NULL"),
            ("page", "INTEGER", "Page of the question"),
            ("line", "INTEGER", "Line where the question starts"),
            ("values_page", "INTEGER", "Page of the last value cell"),
            ("values_line", "INTEGER", "Line of the last value cell"),
        ],
    },
    "prompts": {
        "doc": "The Annexe inspection-data tables: every prompt under its standard and key question.",
        "key": [], "unique": ["document_id", "standard_code", "page", "line"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("standard_code", "VARCHAR", "The framework's code of the standard"),
            ("printed_code", "VARCHAR", "The code printed in the annexe heading"),
            ("key_question", "VARCHAR", "The key question heading the table (annexe wording)"),
            ("prompt", "VARCHAR", "The prompt, de-wrapped"),
            ("current_pct", "DOUBLE", "Current inspection, percent 'yes'"),
            ("previous_pct", "DOUBLE", "Previous inspection, percent (NULL if 'No comparable data available')"),
            ("current_text", "VARCHAR", "Printed words where current_pct is NULL"),
            ("previous_text", "VARCHAR", "Printed words where previous_pct is NULL"),
            ("page", "INTEGER", "Page of the prompt"),
            ("line", "INTEGER", "Line where the prompt starts"),
            ("values_page", "INTEGER", "Page of the last value cell"),
            ("values_line", "INTEGER", "Line of the last value cell"),
        ],
    },
    "workforce": {
        "doc": "Key staffing data and caseload data: one row per metric and period (previous year, current year).",
        "key": [], "unique": ["document_id", "table_name", "metric", "period", "page", "line"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("table_name", "VARCHAR", "The table's printed title (Key staffing data, Caseload data) or 'prose'"),
            ("metric", "VARCHAR", "The row's text, de-wrapped, footnote markers removed"),
            ("metric_code", "VARCHAR", "Stable code from normalise/reference/metrics.json (e.g. po_fte, caseload_pso); NULL if none matches"),
            ("period", "VARCHAR", "previous_year or current_year"),
            ("value", "DOUBLE", "The number; NULL where the cell is words (see note)"),
            ("unit", "VARCHAR", "FTE, percent, days per year, cases or count"),
            ("value_text", "VARCHAR", "The cell as printed"),
            ("note", "VARCHAR", "Printed words that are not a plain value, e.g. '6% over specification'"),
            ("source", "VARCHAR", "table, or prose for figures stated in running text (reports without the tables)"),
            ("denominator", "DOUBLE", "Prose: the 'out of' number ('three out of five SPOs')"),
            ("comparator", "DOUBLE", "Prose: a comparator stated with it (e.g. the regional average)"),
            ("range_low", "DOUBLE", "Prose: low end of a stated range"),
            ("range_high", "DOUBLE", "Prose: high end of a stated range"),
            ("sentence", "VARCHAR", "Prose: the sentence the figure is stated in"),
            ("page", "INTEGER", "Page of the row's label"),
            ("line", "INTEGER", "Line of the row's label"),
            ("value_page", "INTEGER", "Page of the value"),
            ("value_line", "INTEGER", "Line of the value"),
        ],
    },
    "other_tables": {
        "doc": "Other numeric data tables: in CRC reports 'Key data' under leadership, 'Characteristics of inspected "
               "domain two cases', 'Unpaid work key data', and tables with no title whose columns are the previous "
               "and current inspection (named by the paragraph printed above them, e.g. the services question); "
               "in any report, numbered tables ('Table 4: ...') that have figures. One row per metric and column.",
        "key": [], "unique": ["document_id", "table_name", "metric", "column_index", "page", "line"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("table_name", "VARCHAR", "The table's printed title (a numbered table's whole caption)"),
            ("metric", "VARCHAR", "The row's text, de-wrapped"),
            ("period", "VARCHAR", "previous_year / current_year (unpaid work), previous_inspection / "
                                  "current_inspection, or comparator (all CRCs); NULL in numbered tables, whose "
                                  "columns are named in header"),
            ("column_index", "INTEGER", "The column's position as printed, 1 = leftmost"),
            ("header", "VARCHAR", "Numbered tables: the column headers as printed, joined (NULL otherwise)"),
            ("value", "DOUBLE", "The number; NULL where the cell is words"),
            ("unit", "VARCHAR", "percent, days per year, cases, FTE or count (a numbered table's figures printed "
                                "without % are percent when its header or caption says so)"),
            ("value_text", "VARCHAR", "The cell as printed"),
            ("note", "VARCHAR", "Printed words that are not a plain value"),
            ("page", "INTEGER", "Page of the row's label"),
            ("line", "INTEGER", "Line of the row's label"),
            ("value_page", "INTEGER", "Page of the value"),
            ("value_line", "INTEGER", "Line of the value"),
        ],
    },
    "key_facts": {
        "doc": "The 'Key facts' / 'Contextual facts' panel: one row per fact. A report that prints no panel (PDU "
               "2021 on) states its context in prose instead ('The population of Liverpool was 484,488 with proven "
               "reoffending rates of 27.7 per cent'): those facts are rows with source 'prose'.",
        "key": [], "unique": ["document_id", "page", "line", "value_text"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("section", "VARCHAR", "Panel heading or sub-heading (e.g. Performance against targets); for prose, the "
                                   "section it is stated in (e.g. Background)"),
            ("value_text", "VARCHAR", "The value as printed (2,116; 36.3%; £12.37m; 1 (of 21); 27.7 per cent)"),
            ("number", "DOUBLE", "The value as a number (£12.37m = 12370000)"),
            ("unit", "VARCHAR", "count, percent or GBP"),
            ("denominator", "DOUBLE", "The 'of N' part, where printed"),
            ("description", "VARCHAR", "The fact's text, de-wrapped, footnote markers removed. For prose: what the "
                                       "figure is ('The population of Liverpool'); a comparator names the fact it "
                                       "compares in brackets ('North West regional average (proven reoffending rates)')"),
            ("england_and_wales_pct", "DOUBLE", "The England and Wales figure stated with it, where given"),
            ("target_pct", "DOUBLE", "The target stated with it, where given"),
            ("source", "VARCHAR", "panel, or prose (stated in running text; only where no panel is printed)"),
            ("page", "INTEGER", "Page of the value"),
            ("line", "INTEGER", "Line of the value"),
        ],
    },
    "recommendations": {
        "doc": "The report's new recommendations, by addressee.",
        "key": [], "unique": ["document_id", "page", "line"],   # a number may repeat (lists per addressee)
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("addressee", "VARCHAR", "Who should act (the text before 'should:')"),
            ("number", "INTEGER", "The recommendation's number (numbering runs on across addressees)"),
            ("number_printed", "BOOLEAN", "False where the number is inferred (an unnumbered bullet)"),
            ("text", "VARCHAR", "The recommendation, de-wrapped"),
            ("page", "INTEGER", "Page where it starts"),
            ("line", "INTEGER", "Line where it starts"),
        ],
    },
    "previous_recommendations": {
        "doc": "The previous inspection's recommendations, each with the progress the report records on it.",
        "key": [], "unique": ["document_id", "page", "line"],   # a number may repeat (lists per addressee)
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("number", "INTEGER", "The recommendation's number as printed"),
            ("addressee", "VARCHAR", "To whom it was made ('We recommended that Merseyside CRC:'), where stated"),
            ("text", "VARCHAR", "The recommendation, de-wrapped"),
            ("progress", "VARCHAR", "'no progress', 'some progress', 'sufficient progress' (the report's word + 'progress'); NULL where no verdict is printed"),
            ("progress_text", "VARCHAR", "The verdict as printed ('The CRC has made no progress on this recommendation')"),
            ("page", "INTEGER", "Page where the recommendation starts"),
            ("line", "INTEGER", "Line where the recommendation starts"),
            ("progress_page", "INTEGER", "Page of the verdict"),
            ("progress_line", "INTEGER", "Line of the verdict"),
        ],
    },
    "previous_recommendations_summary": {
        "doc": "The counts the report states in words about the previous recommendations ('no progress had been made on three').",
        "key": [], "unique": ["document_id", "category", "page", "line"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("category", "VARCHAR", "'recommendations made' or a progress category ('no progress', 'some progress', ...)"),
            ("count", "INTEGER", "The count as a number (NULL for 'all')"),
            ("count_text", "VARCHAR", "The count as printed ('three')"),
            ("sentence", "VARCHAR", "The sentence stating it, de-wrapped"),
            ("page", "INTEGER", "Page of the count"),
            ("line", "INTEGER", "Line of the count"),
        ],
    },
    "case_samples": {
        "doc": "The case samples the inspection read, as the report states them ('We inspected 41 cases ...'): one row "
               "per sample. The largest count stated for a sample is taken (the others are its parts or repeat it); "
               "parts joined by 'and' are added up.",
        "key": ["document_id", "sample"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("sample", "VARCHAR", "case_supervision, unpaid_work or through_the_gate"),
            ("cases", "INTEGER", "Number of cases (or requirements) inspected"),
            ("sentence", "VARCHAR", "The sentence stating it, de-wrapped"),
            ("page", "INTEGER", "Page of the sentence"),
            ("line", "INTEGER", "Line of the sentence"),
        ],
    },
    "sample_statements": {
        "doc": "Every statement of a case sample's size in the report, in order (case_samples keeps the largest of "
               "each sample): the audit compares them (rule sample_restated).",
        "key": [], "unique": ["document_id", "sample", "page", "line"],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("sample", "VARCHAR", "case_supervision, unpaid_work or through_the_gate"),
            ("cases", "INTEGER", "The count stated (its parts added up)"),
            ("parts", "VARCHAR", "The parts as stated, joined by '+' ('76+38'), or the one count"),
            ("counted", "VARCHAR", "The words between the (first) count and its noun, lower case ('community sentence')"),
            ("subset", "BOOLEAN", "True when words after the noun make it a part of the sample ('cases that were eligible ...')"),
            ("sentence", "VARCHAR", "The sentence stating it, de-wrapped"),
            ("page", "INTEGER", "Page of the sentence"),
            ("line", "INTEGER", "Line of the sentence"),
        ],
    },
    "prose_figures": {
        "doc": "Every percentage, 'x out of y', 'x of the y', days and FTE figure stated in running text, with its sentence.",
        "key": [],   # none: one line can print the same figure twice
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("section", "VARCHAR", "The standard ('2.1 Assessment') or section heading the sentence sits under"),
            ("sentence", "VARCHAR", "The whole sentence, de-wrapped across lines and page breaks"),
            ("figure_text", "VARCHAR", "The figure as printed ('22 per cent', '35 out of 41')"),
            ("kind", "VARCHAR", "percent, out_of, of_the, days or fte"),
            ("number", "DOUBLE", "The number (number words such as 'Forty' converted)"),
            ("denominator", "DOUBLE", "y of 'x out of y' / 'x of the y'"),
            ("unit", "VARCHAR", "percent, count, days or FTE"),
            ("page", "INTEGER", "Page of the figure"),
            ("line", "INTEGER", "Line of the figure"),
        ],
    },
    "extraction_notes": {
        "doc": "What the extractors could not do or chose not to do for a document, in words.",
        "key": [],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("note", "VARCHAR", "The note"),
        ],
    },
    "extraction_checks": {
        "doc": "Each gap or surplus between what was read from a report and what a report of its kind contains "
               "(the structure in normalise/reference/methodologies.json) or what the report says of itself "
               "('we have made seven recommendations', 'based on three key questions'). A document with a row "
               "here is documents.completeness = 'partial'; an audit finding that rests on a flagged reading "
               "is 'unverified', never 'contradiction'.",
        "key": [],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("check", "VARCHAR", "What was checked: standards_rated, score, key_questions_per_standard, "
             "key_questions_stated, key_questions_unfiled, prompts_per_standard, recommendations_stated, "
             "recommendations_section, recommendations_numbering, previous_recommendations_stated, "
             "previous_recommendations_verdicts, key_facts_panel, ratings_table, standards_unknown"),
            ("subject", "VARCHAR", "What the check flags: a standard code, or ratings, recommendations, "
             "previous recommendations, key facts, key questions"),
            ("expected", "VARCHAR", "What a report of this kind (or the report itself) says there should be"),
            ("found", "VARCHAR", "What was read"),
            ("message", "VARCHAR", "The gap in words"),
            ("page", "INTEGER", "Page of the evidence (the statement, the table), where known"),
            ("line", "INTEGER", "Line of the evidence"),
            ("rule_status", "VARCHAR", "confirmed, inferred or unconfirmed: whether the expected structure is "
             "confirmed by a published source (a report's own statement is confirmed)"),
        ],
    },
    "audit_findings": {
        "doc": "One row per audit finding (see the rule table in docs/audit.md). A rating that follows from the numbers has no row.",
        "key": [],
        "columns": [
            ("document_id", "VARCHAR", "documents.document_id"),
            ("rule", "VARCHAR", "Rule name, one of ref_rules.rule (the rule table in docs/audit.md)"),
            ("severity", "VARCHAR", "contradiction, minor, possible (another reading exists, said why), unverified (rests on "
             "a reading an extraction check flags), unverified_rule, explained (the report explains it) or info"),
            ("subject", "VARCHAR", "Standard code, 'overall', 'workforce', 'prose' (two sentences) or 'previous recommendations'"),
            ("expected", "VARCHAR", "What the rule derives from the report's own numbers"),
            ("stated", "VARCHAR", "What the report states"),
            ("explained_by", "VARCHAR", "professional_discretion or unpaid_work_moderation where the report explains it"),
            ("rule_status", "VARCHAR", "confirmed, or inferred/unconfirmed/unknown where the rule, band or standard is not confirmed by the sources"),
            ("message", "VARCHAR", "The finding in words"),
            ("page", "INTEGER", "Page of the stated value"),
            ("line", "INTEGER", "Line of the stated value"),
            ("evidence", "VARCHAR", "The sentence (and its place) that explains or states it"),
            ("other_page", "INTEGER", "Page of the other place a two-place finding compares (the first statement, "
             "the table row), where it has one"),
            ("other_line", "INTEGER", "Line of that other place"),
        ],
    },
    "ref_standards": {
        "doc": "Reference: the standards of each methodology (from normalise/reference/methodologies.json).",
        "key": ["methodology", "code"],
        "columns": [("methodology", "VARCHAR", "documents.kind"), ("code", "VARCHAR", "Framework code"),
                    ("domain", "INTEGER", "Domain"), ("name", "VARCHAR", "Name"),
                    ("case_assessed", "BOOLEAN", "Rated from key-question percentages"),
                    ("never_rated", "BOOLEAN", "Never rated (PDU outcomes)"),
                    ("may_be_not_rated", "BOOLEAN", "May be 'Not rated' (PDU court work)"),
                    ("moderation", "VARCHAR", "unpaid_work where qualitative moderation applies (R3)"),
                    ("in_score", "BOOLEAN", "Counts towards the report's score (false: rated separately, e.g. youth resettlement)"),
                    ("league_column", "VARCHAR", "The league table's column for the standard: the same for the same thing in "
                     "every framework ('planning' is CRC 2.2 and PDU 2.3)"),
                    ("code_status", "VARCHAR", "confirmed, inferred or unconfirmed: whether a published source gives the standard this code")],
    },
    "ref_kq_bands": {
        "doc": "Reference: key-question percentage bands (R1).",
        "key": ["rating"],
        "columns": [("rating", "VARCHAR", "Band"), ("min_pct", "INTEGER", "From"), ("max_pct", "INTEGER", "To"),
                    ("status", "VARCHAR", "confirmed/unconfirmed"), ("source", "VARCHAR", "Source")],
    },
    "ref_overall_bands": {
        "doc": "Reference: score bands of the overall rating, per score maximum.",
        "key": ["score_max", "rating"],
        "columns": [("score_max", "INTEGER", "Score maximum"), ("rating", "VARCHAR", "Overall rating"),
                    ("min_score", "INTEGER", "From"), ("max_score", "INTEGER", "To"),
                    ("status", "VARCHAR", "confirmed or unconfirmed"), ("source", "VARCHAR", "Source")],
    },
    "ref_rating_scores": {
        "doc": "Reference: points per rating.",
        "key": ["rating"],
        "columns": [("rating", "VARCHAR", "Rating"), ("score", "INTEGER", "Points")],
    },
    "ref_rules": {
        "doc": "Reference: the inspectorate's decision rules (R1-R6) with their status.",
        "key": ["rule_id"],
        "columns": [("rule_id", "VARCHAR", "R-number in methodology.md"), ("name", "VARCHAR", "Name"),
                    ("status", "VARCHAR", "confirmed or unconfirmed"), ("text", "VARCHAR", "Rule"),
                    ("source", "VARCHAR", "Source"), ("applies_to", "VARCHAR", "Methodologies it applies to")],
    },
    "ref_grades": {
        "doc": "Reference: grades of staff as prose names them, and the FTE metric that counts them (from "
               "normalise/reference/metrics.json; a methodology's own words first, then the general ones, '*').",
        "key": ["methodology", "position"],
        "columns": [("methodology", "VARCHAR", "documents.kind, or * for every methodology"),
                    ("position", "INTEGER", "Order in which the words are tried"),
                    ("words", "VARCHAR", "Regular expression for the grade as printed ('case managers?')"),
                    ("metric_code", "VARCHAR", "workforce.metric_code that counts the grade")],
    },
    "refresh_runs": {
        "doc": "One row per refresh run.",
        "key": ["run_id"],
        "columns": [
            ("run_id", "INTEGER", "Sequence number"),
            ("started_at", "TIMESTAMP", "Start"),
            ("finished_at", "TIMESTAMP", "End"),
            ("package_version", "VARCHAR", "hmip-inspections version"),
            ("paths", "VARCHAR", "Files and folders refreshed"),
            ("workers", "INTEGER", "Worker processes"),
            ("n_seen", "INTEGER", "Files found"),
            ("n_new", "INTEGER", "New documents"),
            ("n_changed", "INTEGER", "Changed documents (re-extracted)"),
            ("n_unchanged", "INTEGER", "Unchanged documents (skipped)"),
            ("n_failed", "INTEGER", "Documents that failed"),
            ("n_missing", "INTEGER", "Documents no longer present"),
            ("n_duplicate", "INTEGER", "Files whose content is already another document"),
            ("seconds", "DOUBLE", "Wall time"),
            ("audit_version", "VARCHAR", "Fingerprint of the audit rules and reference data the run audited with; "
                                         "when it changes, the next run re-audits every document"),
            ("n_audited", "INTEGER", "Documents the audit (re)ran on in this run"),
        ],
    },
}


def constraints(table: str) -> list[str]:
    """The table's constraints as SQL: its primary key ("key", columns never NULL), which DuckDB
    enforces. A "unique" key (the natural key of a table with rows per page or line, with a page that
    is NULL in text renderings) is declared in the docs and checked by the tests, not enforced by an
    index: DuckDB keeps such an index in memory, and over the largest tables it grows with the corpus
    and broke the writer's fixed memory budget (docs/performance.md)."""
    t = TABLES[table]
    return [f'PRIMARY KEY ({", ".join(chr(34) + c + chr(34) for c in t["key"])})'] if t.get("key") else []


def not_null(table: str) -> set[str]:
    """Columns that are never NULL: the primary key's, and every per-document table's document_id."""
    t = TABLES[table]
    cols = {c for c, _, _ in t["columns"]}
    return set(t.get("key") or []) | ({"document_id"} & cols if table in PER_DOCUMENT else set())


def ddl(table: str, catalog: str | None = None) -> str:
    """CREATE TABLE for a table of the schema, with its keys and NOT NULL columns; in an attached
    database when catalog is given (without the compression a stored table declares, and without
    constraints: an in-memory copy is not written to disk, and its rows are checked when copied)."""
    t = TABLES[table]
    packed = {} if catalog else t.get("compression", {})
    required = set() if catalog else not_null(table)
    cols = ", ".join(f'"{c}" {typ}' + (" NOT NULL" if c in required else "")
                     + (f" USING COMPRESSION {packed[c]}" if c in packed else "")
                     for c, typ, _ in t["columns"])
    extra = "" if catalog else "".join(", " + c for c in constraints(table))
    return f"CREATE TABLE IF NOT EXISTS {qualified(table, catalog)} ({cols}{extra})"


def qualified(table: str, catalog: str | None = None) -> str:
    """A table's name quoted for SQL, in the given attached database (catalog) or the default one."""
    return f'{catalog + "." if catalog else ""}"{table}"'


def columns(table: str) -> list[str]:
    return [c for c, _, _ in TABLES[table]["columns"]]


def column_list(table: str) -> str:
    """A table's columns quoted for SQL, in the schema's order: what an INSERT or SELECT lists."""
    return ", ".join(f'"{c}"' for c in columns(table))


def column_types(table: str) -> list[tuple[str, str]]:
    return [(c, typ) for c, typ, _ in TABLES[table]["columns"]]


def _views() -> list[tuple[str, str, str]]:
    """(name, what it answers, its columns) of every view (the queries in queries/)."""
    from .queries import load
    out = []
    for q in load().values():
        what, _, cols = " ".join(q.header.split()).partition("Columns:")
        out.append((q.name, what.removeprefix(q.name + ":").strip(), cols.strip()))
    return out


def markdown() -> str:
    """Given the schema, return a markdown description of every table and column, then the views."""
    out = []
    for name, t in TABLES.items():
        key = (f" Primary key: ({', '.join(t['key'])})." if t.get("key") else "") + (
            f" Unique: ({', '.join(t['unique'])}) (checked by the tests, not enforced by an index)."
            if t.get("unique") else "")
        out.append(f"#### `{name}`\n\n{t['doc']}{key}\n\n| column | type | meaning |\n|---|---|---|")
        for c, typ, doc in t["columns"]:
            out.append(f"| `{c}` | {typ} | {doc} |")
        out.append("")
    out.append("### Views\n\nEach query in `queries/` is also a view of the database (`SELECT * FROM name`), and "
               "`inspections export` writes it as a file like a table.\n\n| view | what it answers | columns |\n|---|---|---|")
    for name, what, cols in _views():
        out.append(f"| `{name}` | {what} | {cols} |")
    out.append("")
    return "\n".join(out)


def text() -> str:
    """Given the schema, return it as plain text: each table with its columns and types, then the views."""
    out = []
    for name, t in TABLES.items():
        out.append(f"{name}" + (f"  (primary key: {', '.join(t['key'])})" if t.get("key") else "")
                   + (f"  (unique: {', '.join(t['unique'])})" if t.get("unique") else ""))
        w = max(len(c) for c, _, _ in t["columns"])
        out.extend(f"  {c:<{w}}  {typ}" for c, typ, _ in t["columns"])
        out.append("")
    out.append("views (queries/): " + ", ".join(name for name, _, _ in _views()))
    return "\n".join(out)
