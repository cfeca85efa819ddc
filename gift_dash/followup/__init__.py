"""The follow-up store: what has been done on each recommendation and workplan activity, with its history and the
accounts that may change it. Nothing outside this package touches the database; see db.py for where it lives."""
