"""The command-line entry point ``inspections`` and the pipeline that joins the stages."""
