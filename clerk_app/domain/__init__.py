"""Pure-Python domain: value objects, validation rules and error codes. No Qt, no SQL."""
