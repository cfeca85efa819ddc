"""GIFT Recommendations Dashboard: the entry point only routes to the pages (the sidebar carries the filters)."""

import gift_ui
from gift_ui import sessions

sessions.start()  # once per server process: closed tabs' memory is given back (issue 10)
gift_ui.navigation().run()
