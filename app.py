"""GIFT Recommendations Dashboard: the entry point only routes to the pages (the sidebar carries the filters)."""

import streamlit as st

import gift_ui

st.set_page_config(page_title="GIFT Recommendations Dashboard", page_icon=":material/public:", layout="wide",
                   initial_sidebar_state="expanded")
pages = [
    st.Page(path, title=title, icon=icon, url_path=url_path, default=(url_path == "overview"))
    for path, title, icon, url_path in gift_ui.available_pages()
]
# Hidden: gift_ui draws the links itself so that they carry the filters in the URL to the next page.
st.navigation(pages, position="hidden").run()
