"""Use cases. Each takes a :class:`Context` (database + acting clerk), does one business
action in one transaction, writes its change records and audit entry, and returns a
typed result. No Qt here."""
