"""The only code that speaks SQL: open_db, migrations, change records, repositories."""
