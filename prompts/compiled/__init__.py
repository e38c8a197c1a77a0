"""Programs compiled by `uvmgr eval --optimize`, one JSON file per model."""
