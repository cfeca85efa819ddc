"""Tested core of the UN.GIFT recommendations dashboard: data, validation, filtering, similarity, exports.

Nothing here imports Streamlit; the pages call these functions.
"""
