"""File formats: reading roster spreadsheets and writing .xlsx lists. Not storage (no
database here) and not services (no context, no audit): plain files in, plain rows out."""
