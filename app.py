"""GIFT Recommendations Dashboard: the entry point only routes to the pages (the sidebar carries the filters)."""

import gift_ui

gift_ui.navigation().run()
